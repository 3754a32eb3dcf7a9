"""Across locations on the local stack: CD's sample days and NPS's sample months loaded through the
daemon, then `nps_listed_company_pension` (nps) materialized by declarative automation from
`cd_listed_companies` (cd), with the sample's headcounts, and the edge in the global asset graph.

Only the operators' loading runs are launched (the CD day/exchange runs, the NPS months, the SaaS
layer); CD's gold steps and its data product, then the NPS product, come from the automation
sensors the daemon evaluates. Two CD days are enough for every sample case: 대원전선's common share is
delisted on the second day while its preferred share stays listed.
"""

from __future__ import annotations

import csv
import io
import tempfile
import time
from pathlib import Path

import psycopg
import pytest
from dag_shared.settings import repository_root

from dag_platform.graphql import DagsterGraphQL
from dag_platform_testing.stack_harness import RunningStack, embedded_postgres_env
from dag_platform_testing.waiting import wait_for

ROOT = repository_root()
NPS_SAMPLE = ROOT / "locations" / "nps" / "src" / "dag_nps" / "sample_data"
CD_DAYS = ("2024-01-02", "2024-01-03")
NPS_MONTHS = ("2022-03", "2022-04", "2022-05")
PRODUCT = "nps_listed_company_pension"
# Listed company (as CD names it) → its workplaces in the NPS sample months, and how it is found.
COMMON = {
    "삼성전자": (
        ("삼성전자(주)", "삼성전자주식회사", "삼성전자(주) 광주공장"),
        "name",
    ),  # two workplaces, a branch
    "LG전자": (("엘지전자(주)",), "reading"),
    "NAVER": (("네이버 주식회사",), "alias"),
    "현대차": (("현대자동차(주)",), "alias"),
    "대원전선": (("대원전선 주식회사",), "name"),  # listed through its preferred share only
    "BYC": (("비와이씨 주식회사",), "reading"),  # not the one-person shop 비와이씨
}

RUN_QUERY = """
query($runId: ID!) { runOrError(runId: $runId) { ... on Run { status tags { key value } } } }
"""
MATERIALIZATIONS = """
query($key: AssetKeyInput!) {
  assetOrError(assetKey: $key) {
    ... on Asset {
      assetMaterializations(limit: 20) {
        runId timestamp partition
        metadataEntries { label ... on TextMetadataEntry { text } }
      }
    }
  }
}
"""
SENSOR = """
query($selector: SensorSelector!) {
  sensorOrError(sensorSelector: $selector) { ... on Sensor { sensorType sensorState { status } } }
}
"""
ASSET_NODES = """
query CrossLocationGraph {
  assetNodes {
    assetKey { path }
    isMaterializable
    repository { location { name } }
    dependencyKeys { path }
    dependedByKeys { path }
  }
}
"""


@pytest.fixture(scope="module")
def stack():
    with tempfile.TemporaryDirectory(prefix="dag-stack-cross-location-") as scratch:
        Path(scratch).chmod(0o755)  # the embedded PostgreSQL runs as another user when tests run as root
        running = RunningStack(root=ROOT, data_dir=Path(scratch) / "data", extra_env=embedded_postgres_env())
        with running.loaded():
            yield running


def _sample_headcounts() -> dict[tuple[str, str], int]:
    """(workplace name, data month) → head count, read from the NPS sample files themselves."""
    counts: dict[tuple[str, str], int] = {}
    for path in sorted(NPS_SAMPLE.glob("*.csv")):
        reader = csv.reader(io.StringIO(path.read_bytes().decode("cp949"), newline=""))
        next(reader)
        for row in reader:
            counts[(row[1], row[0])] = counts.get((row[1], row[0]), 0) + int(row[18])
    return counts


def _materializations(client: DagsterGraphQL, key: str) -> list[dict]:
    asset = client.query(MATERIALIZATIONS, {"key": {"path": [key]}})["assetOrError"]
    return asset.get("assetMaterializations") or []


def _run(client: DagsterGraphQL, run_id: str) -> dict:
    run = client.query(RUN_QUERY, {"runId": run_id})["runOrError"]
    return {"status": run["status"], "tags": {t["key"]: t["value"] for t in run["tags"]}}


def _finish(client: DagsterGraphQL, run_ids: list[str], stack: RunningStack) -> None:
    for run_id in run_ids:
        run = client.wait_for_run(run_id, timeout=900)
        assert run["status"] == "SUCCESS", f"{run}\n{stack.output()[-3000:]}"


def test_the_nps_product_follows_cd_and_nps_by_automation_with_the_samples_headcounts(stack):
    started = time.monotonic()
    client = stack.graphql
    selector = {"repositoryLocationName": "nps", "repositoryName": "__repository__"}
    sensor = client.query(
        SENSOR, {"selector": {**selector, "sensorName": "nps_listed_company_automation_sensor"}}
    )
    assert sensor["sensorOrError"] == {"sensorType": "AUTO_MATERIALIZE", "sensorState": {"status": "RUNNING"}}

    cd_runs = [
        client.launch_job("cd", "cd_daily_update_job", {"dagster/partition": f"{day}|{exchange}"})
        for day in CD_DAYS
        for exchange in ("KOSPI", "KOSDAQ", "KONEX")
    ]
    for month in NPS_MONTHS:  # one month after the other, as the README's NPS command loads them
        _finish(client, [client.launch_job("nps", "nps_history_job", {"dagster/partition": month})], stack)
    saas = client.launch_assets("nps", ["nps_ensure_saas_tables", "nps_saas_etl_run"])
    _finish(client, [*cd_runs, saas], stack)

    # CD's gold steps and its data product run by cd_gold_automation_sensor, one run per day.
    def published_days():
        days = {m["partition"] for m in _materializations(client, "cd_listed_companies")}
        return days if days >= set(CD_DAYS) else None

    published = wait_for(
        published_days, 600, "cd_listed_companies published for both sample days", poll=3, stack=stack
    )
    assert published == set(CD_DAYS)

    def product_of_the_last_day():
        for materialization in _materializations(client, PRODUCT):  # newest first
            metadata = {e["label"]: e.get("text") for e in materialization["metadataEntries"]}
            if metadata.get("cd_day") == CD_DAYS[-1]:
                return materialization
        return None

    wait_for(
        product_of_the_last_day, 600, f"{PRODUCT} built from CD's day {CD_DAYS[-1]}", poll=3, stack=stack
    )
    for materialization in _materializations(client, PRODUCT):
        client.wait_for_run(materialization["runId"], timeout=600)  # its checks run after the asset
        run = _run(client, materialization["runId"])
        assert run["status"] == "SUCCESS"  # nobody launched it: the automation sensor did
        assert run["tags"].get("dagster/from_automation_condition") == "true", run["tags"]
        assert run["tags"].get("dagster/sensor_name") == "nps_listed_company_automation_sensor", run["tags"]

    with psycopg.connect(stack.embedded_database_url("nps")) as conn:
        table = {
            (name, ym): (count, method)
            for name, ym, count, method in conn.execute(
                "SELECT company_name, to_char(ym, 'YYYY-MM'), subscriber_count, match_method "
                "FROM listed_company_pension_monthly"
            ).fetchall()
        }
        status = dict(conn.execute("SELECT company_name, status FROM listed_company_match").fetchall())
    headcounts = _sample_headcounts()
    for company, (workplaces, method) in COMMON.items():
        for month in NPS_MONTHS:
            expected = sum(headcounts[(workplace, month)] for workplace in workplaces)
            assert table[(company, month)] == (expected, method), (company, month)
    assert {ym for _, ym in table} == set(NPS_MONTHS)
    assert status["대신증권"] == "ambiguous"  # two unrelated corporations of that name
    print(f"\ncross-location stack test: {time.monotonic() - started:.0f}s after the stack loaded")


def test_the_global_asset_graph_shows_the_edge_from_cd_listed_companies_to_the_nps_product(stack):
    client = stack.graphql
    try:
        nodes = client.query(ASSET_NODES)["assetNodes"]
    finally:
        client.close()
    by_key: dict[str, list[dict]] = {}
    for node in nodes:
        by_key.setdefault("/".join(node["assetKey"]["path"]), []).append(node)
    owners = [
        n["repository"]["location"]["name"] for n in by_key["cd_listed_companies"] if n["isMaterializable"]
    ]
    assert owners == ["cd"]
    (product,) = by_key[PRODUCT]
    assert product["repository"]["location"]["name"] == "nps"
    assert ["cd_listed_companies"] in [k["path"] for k in product["dependencyKeys"]]
    cd_node = next(n for n in by_key["cd_listed_companies"] if n["isMaterializable"])
    assert [PRODUCT] in [k["path"] for k in cd_node["dependedByKeys"]]
