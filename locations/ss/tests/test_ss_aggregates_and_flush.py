"""Daily aggregates over a fixed set of deals, and the flush that refuses to run by default."""

from __future__ import annotations

from datetime import date

import dagster as dg
import psycopg
import pytest
from dag_ss.lib.schema import ensure_schema
from dag_ss.lib.warehouse import refresh_aggregates, upsert_deals
from ss_runs import definitions, run_setup

from conftest import query


def _deal(n, model, capacity, day, tco):
    return {"deal_hash": f"{n:032d}", "post_id": str(n), "url": f"u{n}", "model": model, "capacity": capacity,
            "carrier": "SKT", "upfront": 0, "source_posted_at": day, "tco_total": tco, "tco_net": tco, "flags": []}  # fmt: skip


def test_aggregates_per_day_model_and_capacity_over_the_last_seven_days(postgres_url):
    deals = [
        _deal(1, "아이폰 16", "256GB", date(2025, 11, 20), 1_000_000),
        _deal(2, "아이폰 16", "256GB", date(2025, 11, 20), 1_200_000),
        _deal(3, "아이폰 16", "256GB", date(2025, 11, 20), 1_400_000),
        _deal(4, "아이폰 16", "256GB", date(2025, 11, 20), 2_000_000),
        _deal(5, "아이폰 16", "1TB", date(2025, 11, 19), 2_500_000),
        _deal(6, "아이폰 16", None, date(2025, 11, 19), 900_000),  # takes the model's smallest capacity
        _deal(7, "갤럭시 A16", None, date(2025, 11, 18), 300_000),  # no capacity anywhere: 미상
        _deal(8, "아이폰 16", "256GB", date(2025, 11, 13), 100_000),  # 8 days before: outside
        _deal(9, "아이폰 16", "256GB", date(2025, 11, 21), 100_000),  # after the window end
        _deal(
            10, "아이폰 16", "128GB", date(2025, 11, 1), None
        ),  # no tco; its capacity still counts as smallest
    ]
    with psycopg.connect(postgres_url) as conn:
        ensure_schema(conn)
        upsert_deals(conn, deals)
        assert refresh_aggregates(conn, date(2025, 11, 20)) == 4
    rows = query(
        postgres_url,
        "SELECT model, capacity, ts, min, p25, median, p75, max, avg, n FROM aggregates_daily ORDER BY ts, model, capacity",
    )
    assert rows == [
        ("갤럭시 A16", "미상", date(2025, 11, 18), 300_000, 300_000, 300_000, 300_000, 300_000, 300_000, 1),
        ("아이폰 16", "128GB", date(2025, 11, 19), 900_000, 900_000, 900_000, 900_000, 900_000, 900_000, 1),
        (
            "아이폰 16",
            "1TB",
            date(2025, 11, 19),
            2_500_000,
            2_500_000,
            2_500_000,
            2_500_000,
            2_500_000,
            2_500_000,
            1,
        ),
        (
            "아이폰 16",
            "256GB",
            date(2025, 11, 20),
            1_000_000,
            1_150_000,
            1_300_000,
            1_550_000,
            2_000_000,
            1_400_000,
            4,
        ),
    ]


def test_recomputing_the_window_replaces_it_without_duplicates(postgres_url):
    with psycopg.connect(postgres_url) as conn:
        ensure_schema(conn)
        upsert_deals(conn, [_deal(1, "아이폰 16", "256GB", date(2025, 11, 20), 1_000_000)])
        refresh_aggregates(conn, date(2025, 11, 20))
        upsert_deals(conn, [_deal(2, "아이폰 16", "256GB", date(2025, 11, 20), 3_000_000)])
        refresh_aggregates(conn, date(2025, 11, 20))
    assert query(postgres_url, "SELECT n, avg FROM aggregates_daily") == [(2, 2_000_000)]


@pytest.fixture
def seeded(ss_env):
    with dg.DagsterInstance.ephemeral() as instance:
        run_setup(instance)
        yield instance


def _flush(instance, confirm="flush ss"):
    job = dg.define_asset_job("flush_for_test", selection=["ss_flush_all"])
    defs = definitions()
    defs = dg.Definitions(assets=defs.assets, jobs=[job], resources=defs.resources)
    config = {"ops": {"ss_flush_all": {"config": {"confirm": confirm}}}}
    return defs.resolve_job_def("flush_for_test").execute_in_process(
        instance=instance, run_config=config, raise_on_error=False
    )


def test_the_flush_refuses_to_run_by_default(ss_env, seeded):
    result = _flush(seeded)
    assert not result.success
    assert query(ss_env["postgres_url"], "SELECT count(*) FROM carriers")[0][0] == 5


def test_the_flush_needs_the_confirmation_even_when_enabled(ss_env, seeded, monkeypatch):
    monkeypatch.setenv("SS_DANGEROUS_FLUSH", "1")
    assert not _flush(seeded, confirm="yes").success
    assert query(ss_env["postgres_url"], "SELECT count(*) FROM carriers")[0][0] == 5
    assert _flush(seeded).success
    assert query(ss_env["postgres_url"], "SELECT count(*) FROM carriers")[0][0] == 0


def test_the_flush_is_in_no_job_schedule_sensor_or_automation():
    defs = definitions()
    jobs = [job for job in defs.resolve_all_job_defs() if not job.name.startswith("__ASSET_JOB")]
    assert {job.name for job in jobs} == {"ss_ingest_job", "ss_setup_job", "ss_crawl_job"}
    for job in jobs:
        assert dg.AssetKey("ss_flush_all") not in job.asset_layer.executable_asset_keys
    spec = next(s for s in defs.resolve_all_asset_specs() if s.key == dg.AssetKey("ss_flush_all"))
    assert spec.automation_condition is None
    targets = {s.job_name for s in defs.schedules} | {j.name for s in defs.sensors for j in s.jobs}
    assert targets <= {"ss_ingest_job", "ss_setup_job", "ss_crawl_job"}
