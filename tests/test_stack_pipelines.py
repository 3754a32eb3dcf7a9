"""The ported pipelines on the local stack (`make dev`'s topology), as an operator runs them: jobs
launched through GraphQL and run by the daemon in each location's own environment, sensors ticking
in the daemon, rows checked in each location's warehouse on the stack's embedded PostgreSQL.

DS and CD logos (Chromium on the local search stand-in, the local object store, finalize idempotent),
the IS crawl → file → sensor → ingest chain, the SS crawl → partition → ingest chain.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import psycopg
import pytest
from dag_shared.settings import repository_root

from dag_platform.graphql import DagsterGraphQL
from dag_platform_testing.stack_harness import RunningStack, embedded_postgres_env

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


def _run_to_success(stack: RunningStack, location: str, job: str, partition: str | None = None) -> str:
    client = stack.graphql
    tags = {"dagster/partition": partition} if partition else {}
    run_id = client.launch_job(location, job, tags)
    run = client.wait_for_run(run_id, timeout=600)
    assert run["status"] == "SUCCESS", f"{job} {partition or ''}: {run}\n{stack.output()[-3000:]}"
    return run_id


def _runs(client: DagsterGraphQL, job: str) -> list[dict]:
    return client.query(RUNS_OF_JOB, {"job": job})["runsOrError"]["results"]


def _wait_for(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = condition()
        if last:
            return last
        time.sleep(2)
    raise AssertionError(f"{what} within {timeout:.0f}s (last: {last})")


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

    runs = _wait_for(ingested, 420, "one ingest run per board's crawl file")
    assert {r["status"] for r in runs} == {"SUCCESS"}, runs
    sites = _rows(stack, "is", "SELECT DISTINCT site FROM posts ORDER BY site")
    assert [s for (s,) in sites] == ["clien", "damoang", "fmkorea", "ppomppu"]
    posts = _rows(stack, "is", "SELECT count(*), count(DISTINCT (site, post_id)) FROM posts")[0]
    assert posts[0] == posts[1] > 0
    assert _rows(stack, "is", "SELECT count(*) FROM post_comments")[0][0] > 0
    assert _rows(stack, "is", "SELECT count(*) FROM post_signatures")[0][0] == posts[0]
    time.sleep(35)  # one more sensor tick: the files are processed, nothing is ingested again
    assert len(_runs(client, "is_ingest_job")) == len(runs)


def test_ss_crawl_file_becomes_a_partition_that_fills_deals_and_the_json_views(stack):
    client = stack.graphql
    _run_to_success(stack, "ss", "ss_crawl_job")
    # The sensor runs by default: it seeds the dictionary (ss_setup_job), then adds the partition.
    _wait_for(
        lambda: any(r["status"] == "SUCCESS" for r in _runs(client, "ss_ingest_job")),
        420,
        "an ss_ingest_job run for the crawl file",
    )
    assert _rows(stack, "ss", "SELECT count(*) FROM deals")[0][0] > 0
    assert _rows(stack, "ss", "SELECT count(*) FROM api_reports_daily_latest_json")[0][0] > 0
