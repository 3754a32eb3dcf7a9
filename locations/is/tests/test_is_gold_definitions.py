"""The gold assets' cadences, freshness checks and jobs, and one run of them through Dagster after an ingest."""

from datetime import UTC, datetime, timedelta

import dagster as dg
import pytest
from dag_is.defs.gold_cadence import TIMEZONE
from dag_is.defs.is_gold_checks import FRESH_ASSETS, GOLD_ASSETS, is_gold_freshness_checks
from dag_is.defs.jobs import IS_GOLD_ASSETS, is_trends_clusters_job
from dag_shared.resources.postgres import PostgresResource
from dagster._core.test_utils import freeze_time
from helpers import ingest, post, query, write_file


def definitions():
    from dag_is.definitions import defs

    return defs


def cron_conditions(condition) -> list:
    found = []
    if hasattr(condition, "cron_schedule"):
        found.append(condition)
    for child in getattr(condition, "children", []):
        found += cron_conditions(child)
    return found


def test_every_gold_asset_runs_on_a_cron_in_asia_seoul_and_none_in_the_ingest_job():
    defs = definitions()
    graph = defs.resolve_asset_graph()
    for name in GOLD_ASSETS:
        condition = graph.get(dg.AssetKey(name)).automation_condition
        crons = cron_conditions(condition)
        assert crons and {c.cron_timezone for c in crons} == {TIMEZONE}, name
    ingest_job = defs.resolve_job_def("is_ingest_job")
    assert not set(GOLD_ASSETS) & {k.to_user_string() for k in ingest_job.asset_layer.executable_asset_keys}
    expected = {
        "is_post_trends": "4,14,24,34,44,54 * * * *",
        "is_clusters_build": "8,38 * * * *",
        "is_clusters_merge": "18 * * * *",
    }
    for name, cron in expected.items():
        assert {
            c.cron_schedule for c in cron_conditions(graph.get(dg.AssetKey(name)).automation_condition)
        } == {cron}


def freshness_passed(instance: dg.DagsterInstance, asset: str) -> bool:
    keys = [k for c in is_gold_freshness_checks for k in c.check_keys if k.asset_key == dg.AssetKey(asset)]
    job = dg.define_asset_job("freshness", selection=dg.AssetSelection.checks(*keys))
    defs = dg.Definitions(asset_checks=is_gold_freshness_checks, jobs=[job])
    result = defs.resolve_job_def("freshness").execute_in_process(instance=instance, raise_on_error=False)
    (evaluation,) = result.get_asset_check_evaluations()
    return evaluation.passed


def test_a_freshness_check_fails_once_the_asset_is_older_than_its_cadence_plus_slack():
    instance = dg.DagsterInstance.ephemeral()
    start = datetime(2026, 11, 29, 6, 5, tzinfo=UTC)
    with freeze_time(start):
        instance.report_runless_asset_event(dg.AssetMaterialization("is_post_trends"))
    with freeze_time(start + timedelta(minutes=20)):  # two 10-minute ticks late: still fresh
        assert freshness_passed(instance, "is_post_trends")
    with freeze_time(start + timedelta(minutes=40)):
        assert not freshness_passed(instance, "is_post_trends")
    assert {k.asset_key.to_user_string() for c in is_gold_freshness_checks for k in c.check_keys} == set(
        FRESH_ASSETS
    )


@pytest.fixture
def ingested(postgres_url, tmp_path):
    # snapshots 15 minutes before the current bucket end and on it: both in the window, also when
    # the run starts in the next bucket
    now = datetime.fromtimestamp(int(datetime.now(UTC).timestamp()) // 600 * 600, UTC)
    story = " ".join(f"이야기{i}" for i in range(40))
    first = [
        post("1", content=story, timestamp=(now - timedelta(hours=2)).isoformat()),
        post("2", content=story + " 퍼옴", timestamp=(now - timedelta(hours=1)).isoformat()),
        post("3", content="전혀 다른 내용의 글입니다 " * 5, timestamp=(now - timedelta(hours=1)).isoformat()),
    ]
    early = (now - timedelta(minutes=15)).isoformat()
    ingest(postgres_url, write_file(tmp_path / "a.json", [p | {"crawledAt": early} for p in first], early))
    later = now.isoformat()
    second = [p | {"crawledAt": later, "view_count": 50, "comment_count": 2} for p in first]
    ingest(postgres_url, write_file(tmp_path / "b.json", second, later))
    return postgres_url


def run_gold(url: str) -> dg.ExecuteInProcessResult:
    import importlib

    assets = [getattr(importlib.import_module(f"dag_is.defs.{name}"), name) for name in IS_GOLD_ASSETS]
    defs = dg.Definitions(
        assets=assets, jobs=[is_trends_clusters_job], resources={"is_postgres": PostgresResource(url=url)}
    )
    return defs.resolve_job_def("is_trends_clusters_job").execute_in_process()


def test_the_gold_job_fills_trends_clusters_and_rotation_and_a_rerun_changes_nothing(ingested):
    url = ingested
    result = run_gold(url)
    assert result.success
    for name in IS_GOLD_ASSETS:
        (materialization,) = result.asset_materializations_for_node(name)
        assert "dagster/row_count" in materialization.metadata, name
    latest = "SELECT view_delta FROM post_trends WHERE window_end = (SELECT max(window_end) FROM post_trends)"
    assert query(url, latest) == [(40,)] * 3  # 10 → 50 views between the two crawls
    (cluster,) = query(url, "SELECT size FROM clusters")
    assert cluster == (2,)
    assert query(url, "SELECT count(*) FROM cluster_trends WHERE rank = 1") == [(1,)]
    assert query(url, "SELECT count(*) FROM cluster_rotation") == [(1,)]
    assert query(url, "SELECT count(*) FROM mv_post_trends_30m") == [(3,)]
    tables = (
        "post_trends",
        "clusters",
        "cluster_posts",
        "cluster_trends",
        "cluster_rotation",
        "mv_post_trends_agg",
    )
    before = {t: query(url, f"SELECT * FROM {t} ORDER BY 1, 2, 3") for t in tables}
    again = run_gold(url)
    assert again.success
    assert {t: query(url, f"SELECT * FROM {t} ORDER BY 1, 2, 3") for t in tables} == before


def test_as_of_replays_a_bucket_and_refuses_a_time_without_zone(ingested):
    url = ingested
    bucket = query(url, 'SELECT max("timestamp") FROM post_snapshots')[0][0]
    as_of = (
        (bucket + timedelta(minutes=25)).astimezone(__import__("zoneinfo").ZoneInfo("Asia/Seoul")).isoformat()
    )
    import importlib

    asset = importlib.import_module("dag_is.defs.is_post_trends").is_post_trends
    result = dg.materialize(
        [asset],
        resources={"is_postgres": PostgresResource(url=url)},
        run_config={"ops": {"is_post_trends": {"config": {"as_of": as_of}}}},
    )
    metadata = result.asset_materializations_for_node("is_post_trends")[0].metadata
    assert metadata["bucket_end"].value == (bucket + timedelta(minutes=20)).astimezone(UTC).isoformat()
    bad = dg.materialize(
        [asset],
        resources={"is_postgres": PostgresResource(url=url)},
        run_config={"ops": {"is_post_trends": {"config": {"as_of": "2026-11-29T15:10:00"}}}},
        raise_on_error=False,
    )
    assert not bad.success
    assert "has no time zone" in str(bad.get_step_failure_events()[0].event_specific_data.error)
