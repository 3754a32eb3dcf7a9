"""The ported pipelines on the local stack (`make dev`'s topology), as an operator runs them: jobs
launched through GraphQL and run by the daemon in each location's own environment, sensors ticking
in the daemon, rows checked in each location's warehouse on the stack's embedded PostgreSQL.

DS and CD logos (Chromium on the local search stand-in, the local object store, finalize idempotent),
the IS crawl → file → sensor → ingest chain, the SS crawl → partition → ingest chain.
"""

from __future__ import annotations

import tempfile
import time
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest
from dag_shared.settings import repository_root

from dag_platform.graphql import DagsterGraphQL
from dag_platform_testing.stack_harness import RunningStack, embedded_postgres_env
from dag_platform_testing.waiting import wait_for

RUNS_OF_JOB = """
query($job: String!) { runsOrError(filter: {pipelineName: $job}) { ... on Runs { results { runId status } } } }
"""
START_SENSOR = """
mutation($selector: SensorSelector!) {
  startSensor(sensorSelector: $selector) {
    __typename
    ... on Sensor { sensorState { status } }
    ... on PythonError { message }
  }
}
"""


@pytest.fixture(scope="module")
def stack():
    with tempfile.TemporaryDirectory(prefix="dag-stack-pipelines-") as scratch:
        Path(scratch).chmod(0o755)  # the embedded PostgreSQL runs as another user when tests run as root
        running = RunningStack(
            root=repository_root(), data_dir=Path(scratch) / "data", extra_env=embedded_postgres_env()
        )
        with running.loaded():
            yield running


def _rows(stack: RunningStack, database: str, query: str) -> list[tuple]:
    with psycopg.connect(stack.embedded_database_url(database)) as conn:
        return conn.execute(query).fetchall()


def _run_to_success(
    stack: RunningStack, location: str, job: str, partition: str | None = None, run_config: dict | None = None
) -> str:
    client = stack.graphql
    tags = {"dagster/partition": partition} if partition else {}
    run_id = client.launch_job(location, job, tags, run_config=run_config)
    run = client.wait_for_run(run_id, timeout=600)
    assert run["status"] == "SUCCESS", f"{job} {partition or ''}: {run}\n{stack.output()[-3000:]}"
    return run_id


def _runs(client: DagsterGraphQL, job: str) -> list[dict]:
    return client.query(RUNS_OF_JOB, {"job": job})["runsOrError"]["results"]


def _start_sensor(client: DagsterGraphQL, location: str, name: str) -> None:
    selector = {"repositoryLocationName": location, "repositoryName": "__repository__", "sensorName": name}
    result = client.query(START_SENSOR, {"selector": selector})["startSensor"]
    assert result["__typename"] == "Sensor", result


def _webp_objects(stack: RunningStack, location: str) -> set[str]:
    """Names of the WebP objects in the location's local object store (the stack's default)."""
    return {path.name for path in (stack.data_dir / "object_store" / location).rglob("*.webp")}


def test_ds_node_job_gives_the_sample_companies_thumbnails_and_a_second_run_changes_nothing(stack):
    _run_to_success(stack, "ds", "ds_node_job")
    query = "SELECT id, thumbnail FROM company WHERE thumbnail IS NOT NULL ORDER BY id"
    first = _rows(stack, "ds", query)
    assert len(first) >= 10, first
    assert all(url.endswith((".webp", ".png")) for _, url in first), first
    webp = _webp_objects(stack, "ds")
    assert len(webp) >= len(first), webp
    _run_to_success(stack, "ds", "ds_node_job")
    assert _rows(stack, "ds", query) == first
    assert _webp_objects(stack, "ds") == webp


def test_cd_node_job_gives_the_loaded_companies_logos_and_a_second_run_changes_nothing(stack):
    _run_to_success(stack, "cd", "cd_daily_update_job", "2024-01-02|KOSPI")
    _run_to_success(stack, "cd", "cd_node_job")
    query = "SELECT company_id, logo FROM company WHERE logo IS NOT NULL ORDER BY company_id"
    first = _rows(stack, "cd", query)
    assert first, "cd_node_job set no company.logo"
    webp = _webp_objects(stack, "cd")
    assert len(webp) >= len(first), webp
    _run_to_success(stack, "cd", "cd_node_job")
    assert _rows(stack, "cd", query) == first
    assert _webp_objects(stack, "cd") == webp


def test_is_crawls_land_files_that_the_sensor_ingests_once_each(stack):
    client = stack.graphql
    _start_sensor(client, "is", "is_output_data_sensor")
    _run_to_success(stack, "is", "is_crawler_job_10min")

    def ingested() -> bool:
        runs = _runs(client, "is_ingest_job")
        done = [r for r in runs if r["status"] in {"SUCCESS", "FAILURE", "CANCELED"}]
        return len(runs) >= 4 and len(done) == len(runs) and runs

    runs = wait_for(ingested, 420, "one ingest run per board's crawl file", poll=2)
    assert {r["status"] for r in runs} == {"SUCCESS"}, runs
    sites = _rows(stack, "is", "SELECT DISTINCT site FROM posts ORDER BY site")
    assert [s for (s,) in sites] == ["clien", "damoang", "fmkorea", "ppomppu"]
    posts = _rows(stack, "is", "SELECT count(*), count(DISTINCT (site, post_id)) FROM posts")[0]
    assert posts[0] == posts[1] > 0
    assert _rows(stack, "is", "SELECT count(*) FROM post_comments")[0][0] > 0
    assert _rows(stack, "is", "SELECT count(*) FROM post_signatures")[0][0] == posts[0]
    time.sleep(35)  # one more sensor tick: the files are processed, nothing is ingested again
    assert len(_runs(client, "is_ingest_job")) == len(runs)


# The sample pages' clock (their posts are dated by it); a crawl's snapshots carry the wall clock.
IS_SAMPLE_AS_OF = "2026-11-29T15:10:00+09:00"
IS_GOLD_TABLES = {
    "post_trends": "SELECT * FROM post_trends ORDER BY post_id, window_end",
    "keyword_trends": "SELECT keyword, range_label, window_start, window_end, count FROM keyword_trends ORDER BY 1, 2, 3",
    "clusters": "SELECT id, representative_post_id, title, size, updated_at FROM clusters ORDER BY id",
    "cluster_posts": "SELECT * FROM cluster_posts ORDER BY post_id",
    "cluster_trends": "SELECT * FROM cluster_trends ORDER BY cluster_id, window_end",
    "cluster_rotation": "SELECT * FROM cluster_rotation ORDER BY cluster_id",
}


def test_is_enrichment_trends_and_clusters_fill_their_tables_and_a_rerun_changes_nothing(stack):
    # after the previous test's crawl and ingest of the four boards
    assert _rows(stack, "is", "SELECT count(*) FROM posts")[0][0] > 0, "needs the crawl and ingest test first"
    live = _rows(stack, "is", "SELECT count(*) FROM posts WHERE NOT is_deleted")[0][0]
    _run_to_success(stack, "is", "is_enrichment_job")
    fused = _rows(
        stack,
        "is",
        """SELECT count(*) FROM posts p JOIN post_enrichment e ON e.post_id = p.id
           WHERE NOT p.is_deleted AND e.fused_at IS NOT NULL AND e.fuse_rev IS NOT NULL""",
    )[0][0]
    assert fused == live  # every live post categorised by the local method, offline
    assert _rows(stack, "is", "SELECT DISTINCT status FROM fusion_jobs") == [("done",)]
    media = _rows(
        stack, "is", "SELECT count(*), count(*) FILTER (WHERE status <> 'queued') FROM media_enrichment_jobs"
    )
    assert media[0][0] > 0 and media[0][1] > 0  # the image worker claimed image jobs (offline: fetch errors)

    # Post-dated steps replay the sample clock; snapshot-dated ones the bucket after the crawl.
    crawled = _rows(stack, "is", 'SELECT max("timestamp") FROM post_snapshots')[0][0]
    live_as_of = (crawled + timedelta(minutes=10)).isoformat()
    as_of = {
        "is_post_trends": live_as_of,
        "is_keyword_trends": IS_SAMPLE_AS_OF,
        "is_clusters_build": IS_SAMPLE_AS_OF,
        "is_clusters_merge": IS_SAMPLE_AS_OF,
        "is_cluster_trends": live_as_of,
        "is_cluster_rotation": live_as_of,
    }
    run_config = {"ops": {op: {"config": {"as_of": moment}} for op, moment in as_of.items()}}
    _run_to_success(stack, "is", "is_trends_clusters_job", run_config=run_config)

    trended = _rows(stack, "is", "SELECT count(DISTINCT post_id) FROM post_trends")[0][0]
    assert trended == live
    assert _rows(stack, "is", "SELECT count(*) FROM keyword_trends WHERE range_label = '3h'")[0][0] > 0
    members = _rows(
        stack,
        "is",
        """SELECT c.id, p.site, p.post_id, cp.match_type FROM cluster_posts cp
           JOIN clusters c ON c.id = cp.cluster_id JOIN posts p ON p.id = cp.post_id ORDER BY p.site, p.post_id""",
    )
    by_cluster: dict = {}
    for cluster_id, site, post_id, _ in members:
        by_cluster.setdefault(cluster_id, set()).add(f"{site}/{post_id}")
    # the rate-cut article on three boards, the snow photos sharing one gallery on two
    assert sorted(by_cluster.values(), key=len) == [
        {"clien/18812347", "damoang/5555993"},
        {"clien/18812348", "damoang/5555995", "ppomppu/9870016"},
    ]
    gallery_pair = {t for _, _, post_id, t in members if post_id in ("18812347", "5555993")}
    assert gallery_pair == {"both"}  # the same four images and a similar text
    assert _rows(stack, "is", "SELECT size FROM clusters ORDER BY size") == [(2,), (3,)]
    assert _rows(stack, "is", "SELECT count(DISTINCT cluster_id) FROM cluster_trends")[0][0] == 2
    assert _rows(stack, "is", "SELECT count(*) FROM cluster_rotation")[0][0] == 2
    assert _rows(stack, "is", "SELECT count(*) FROM cluster_trends WHERE rank IS NOT NULL")[0][0] == 2

    before = {table: _rows(stack, "is", query) for table, query in IS_GOLD_TABLES.items()}
    _run_to_success(stack, "is", "is_trends_clusters_job", run_config=run_config)
    assert {table: _rows(stack, "is", query) for table, query in IS_GOLD_TABLES.items()} == before


def test_ss_crawl_file_becomes_a_partition_that_fills_deals_and_the_json_views(stack):
    client = stack.graphql
    _run_to_success(stack, "ss", "ss_crawl_job")
    # The sensor runs by default: it seeds the dictionary (ss_setup_job), then adds the partition.
    wait_for(
        lambda: any(r["status"] == "SUCCESS" for r in _runs(client, "ss_ingest_job")),
        420,
        "an ss_ingest_job run for the crawl file",
        poll=2,
    )
    assert _rows(stack, "ss", "SELECT count(*) FROM deals")[0][0] > 0
    assert _rows(stack, "ss", "SELECT count(*) FROM api_reports_daily_latest_json")[0][0] > 0
