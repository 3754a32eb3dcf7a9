"""A history backfill as one run: the range walks its months in order, resumes after a failure at
the month that failed without loading any month twice, and the SaaS layer is rebuilt once after it."""

import shutil

import dagster as dg
import psycopg
import pytest
from dag_nps.defs.nps_ensure_saas_tables import nps_ensure_saas_tables
from dag_nps.defs.nps_file_integrity_check import nps_file_integrity_check
from dag_nps.defs.nps_full_rebuild_from_pension import nps_full_rebuild_from_pension
from dag_nps.defs.nps_his_digest import nps_his_digest
from dag_nps.defs.nps_his_download import nps_his_download
from dag_nps.defs.nps_his_postgres_append import nps_his_postgres_append
from dag_nps.defs.nps_history_saas import nps_history_saas_sensor
from dag_nps.defs.nps_pension_staging_indexes import nps_pension_staging_indexes
from dag_nps.lib.sample import SAMPLE_DIR

from conftest import nps_resources_for

CHAIN = [nps_his_download, nps_file_integrity_check, nps_his_digest, nps_his_postgres_append,
         nps_pension_staging_indexes]  # fmt: skip
MONTHS = ["2022-03", "2022-04", "2022-05"]
RANGE = {"dagster/asset_partition_range_start": MONTHS[0], "dagster/asset_partition_range_end": MONTHS[-1]}
PER_MONTH = 2533  # rows of each sample month


@pytest.fixture
def sample_env(nps_env):
    for path in SAMPLE_DIR.glob("*.csv"):
        shutil.copy(path, nps_env["source"] / path.name)
    return nps_env


def run_range(resources, instance):
    return dg.materialize(CHAIN, resources=resources, tags=RANGE, instance=instance, raise_on_error=False)


def rows_per_month(url):
    with psycopg.connect(url) as conn:
        return dict(
            conn.execute(
                "SELECT to_char(data_created_ym, 'YYYY-MM'), count(*) FROM public.pension GROUP BY 1 ORDER BY 1"
            ).fetchall()
        )


def ids_of(url, month):
    with psycopg.connect(url) as conn:
        return conn.execute(
            "SELECT min(id), max(id) FROM public.pension WHERE data_created_ym = %s::timestamp",
            (f"{month}-01",),
        ).fetchone()


def range_metadata(result, asset):
    [event] = [e for e in result.get_asset_materialization_events() if e.asset_key.path == [asset]][:1]
    return event.materialization.metadata


def observed(instance, asset):
    """(partition, status) of the month observations the range steps recorded, in order."""
    records = instance.fetch_observations(dg.AssetKey(asset), limit=100).records
    return [(r.partition_key, r.asset_observation.metadata["status"].value) for r in reversed(records)]


def test_a_range_run_loads_each_month_once_in_order(sample_env):
    instance = dg.DagsterInstance.ephemeral()
    result = run_range(nps_resources_for(sample_env["source"]), instance)
    assert result.success
    assert rows_per_month(sample_env["postgres_url"]) == dict.fromkeys(MONTHS, PER_MONTH)
    # one step per asset for the whole range, and a materialization for every month of it
    steps = {e.step_key for e in result.all_events if e.event_type_value == "STEP_SUCCESS"}
    assert steps == {asset.key.path[-1] for asset in CHAIN}
    materialized = {(e.asset_key.path[-1], e.partition) for e in result.get_asset_materialization_events()}
    assert materialized == {(a.key.path[-1], m) for a in CHAIN for m in MONTHS}
    # progress per month, in order, visible on each asset as an observation of the month
    assert observed(instance, "nps_his_postgres_append") == [(m, "done") for m in MONTHS]
    metadata = range_metadata(result, "nps_his_postgres_append")
    assert metadata["rows"].value == 3 * PER_MONTH and metadata["months_done"].value == 3
    with psycopg.connect(sample_env["postgres_url"]) as conn:
        indexes = {r[0] for r in conn.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'pension'")}
    assert "idx_pension_name_norm_trgm_gin" in indexes, "the index step rebuilt what the range load dropped"

    # the same range again: every month is already complete and is skipped, nothing is reloaded
    before = {m: ids_of(sample_env["postgres_url"], m) for m in MONTHS}
    again = run_range(nps_resources_for(sample_env["source"]), instance)
    assert again.success
    assert {m: ids_of(sample_env["postgres_url"], m) for m in MONTHS} == before
    for asset in (
        "nps_his_download",
        "nps_file_integrity_check",
        "nps_his_digest",
        "nps_his_postgres_append",
    ):
        assert range_metadata(again, asset)["months_skipped"].value == 3, asset


def _month_index_scans(url) -> int:
    with psycopg.connect(url) as conn:
        return conn.execute(
            "SELECT coalesce(sum(idx_scan), 0) FROM pg_stat_user_indexes WHERE indexrelname = 'idx_pension_ym_brin'"
        ).fetchone()[0]


def test_each_month_of_a_range_is_replaced_through_the_month_index_not_a_table_scan(sample_env):
    """Without statistics (a growing table between autovacuum's ANALYZEs) the planner would scan all
    of `pension` for every month's DELETE; the load must reach the month through its BRIN index."""
    import time

    resources = nps_resources_for(sample_env["source"])
    instance = dg.DagsterInstance.ephemeral()
    loaded = dg.materialize(CHAIN[:4], resources=resources, tags=RANGE, instance=instance)
    assert loaded.success
    url = sample_env["postgres_url"]
    deadline = time.monotonic() + 10  # the loading sessions report their counters as they end
    while _month_index_scans(url) < len(MONTHS) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _month_index_scans(url) >= len(MONTHS)


def test_a_failure_in_month_two_resumes_at_month_two_without_duplicates(sample_env, monkeypatch):
    from dag_nps.lib import pension_table

    real = pension_table.replace_month

    def failing_in_may(conn, month, *args, **kwargs):
        if month == "2022-04":
            raise ConnectionError("the warehouse went away while loading 2022-04")
        return real(conn, month, *args, **kwargs)

    instance = dg.DagsterInstance.ephemeral()
    monkeypatch.setattr(pension_table, "replace_month", failing_in_may)
    failed = run_range(nps_resources_for(sample_env["source"]), instance)
    assert not failed.success
    assert "2022-04" in failed.get_step_failure_events()[0].event_specific_data.error.to_string()
    assert rows_per_month(sample_env["postgres_url"]) == {"2022-03": PER_MONTH}
    march = ids_of(sample_env["postgres_url"], "2022-03")

    monkeypatch.setattr(pension_table, "replace_month", real)
    resumed = run_range(nps_resources_for(sample_env["source"]), instance)
    assert resumed.success
    assert rows_per_month(sample_env["postgres_url"]) == dict.fromkeys(MONTHS, PER_MONTH)
    assert ids_of(sample_env["postgres_url"], "2022-03") == march, "March was not loaded again"
    append = range_metadata(resumed, "nps_his_postgres_append")
    assert append["skipped_months"].value == ["2022-03"] and append["months_done"].value == 2
    # the months the failed run had digested are not digested again
    assert range_metadata(resumed, "nps_his_digest")["months_skipped"].value == 3


def test_the_saas_layer_is_built_once_per_range_and_not_per_month(sample_env):
    instance = dg.DagsterInstance.ephemeral()
    resources = nps_resources_for(sample_env["source"])
    ranged = run_range(resources, instance)
    assert ranged.success
    single = dg.materialize(CHAIN, resources=resources, partition_key="2022-05", instance=instance)
    assert single.success

    def requests(run_id):
        run = instance.get_run_by_id(run_id)
        event = dg.DagsterEvent(
            event_type_value="PIPELINE_SUCCESS", job_name=run.job_name, event_specific_data=None
        )
        context = dg.build_run_status_sensor_context(
            sensor_name="nps_history_saas_sensor",
            dagster_event=event,
            dagster_instance=instance,
            dagster_run=run,
        )
        found = nps_history_saas_sensor(context)
        return [found] if isinstance(found, dg.RunRequest) else []

    [request] = requests(ranged.run_id)
    assert request.run_key == f"saas-after-{ranged.run_id}"
    assert request.tags["nps/range"] == "2022-03..2022-05"
    assert requests(single.run_id) == [], "a single-month run requests no rebuild"

    # the requested job: the DDL and the full rebuild, once, over every month of the range
    rebuild = dg.materialize(
        [nps_ensure_saas_tables, nps_full_rebuild_from_pension], resources=resources, instance=instance
    )
    assert rebuild.success
    with psycopg.connect(sample_env["postgres_url"]) as conn:
        months = [
            r[0]
            for r in conn.execute(
                "SELECT DISTINCT to_char(ym, 'YYYY-MM') FROM fact_pension_monthly ORDER BY 1"
            )
        ]
        runs = conn.execute("SELECT count(*) FROM etl_run_log").fetchone()[0]
    assert months == MONTHS and runs == 1
