"""Alerts on the local stack (`make dev`'s topology): a failed NPS run and a failed CD asset check
each become exactly one alert of the operations location, a row in the platform database's
`alerts` table and one Slack-compatible message to a webhook (a local HTTP server here).

The NPS run asks for a month the sample source does not have (its download fails naming the
month); the CD day runs on a copy of the sample KRX snapshots in which one KONEX security's volume
is negative, so `cd_digest_price:no_negative_price_values` fails while the run succeeds.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import psycopg
import pytest
from dag_shared.settings import repository_root

from dag_platform_testing.stack_harness import RunningStack, embedded_postgres_env
from dag_platform_testing.waiting import wait_for

SENSORS = ("platform_run_failure_alerts", "platform_check_failure_alerts")
SENSOR_TICKS = """
query($selector: SensorSelector!) {
  sensorOrError(sensorSelector: $selector) {
    __typename
    ... on Sensor { sensorState { status ticks(limit: 5) { status } } }
  }
}
"""
MISSING_NPS_MONTH = "2021-01"  # the sample source holds 2022-03 … 2022-05
CD_DAY, CD_EXCHANGE = "2024-01-02", "KONEX"


class _Webhook(BaseHTTPRequestHandler):
    received: ClassVar[list[dict]] = []

    def do_POST(self):
        _Webhook.received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def _snapshots_with_a_negative_volume(target: Path) -> Path:
    """The bundled KRX sample day, with the second KONEX security's volume negative."""
    sample = repository_root() / "locations" / "cd" / "src" / "dag_cd" / "lib" / "sample_krx"
    day = CD_DAY.replace("-", "")
    shutil.copytree(sample / day, target / day)
    ohlcv = target / day / CD_EXCHANGE / "ohlcv.csv"
    header, first, second, *rest = ohlcv.read_text(encoding="utf-8").splitlines()
    fields = second.split(",")
    fields[5] = f"-{fields[5]}"  # 거래량 (volume)
    ohlcv.write_text("\n".join([header, first, ",".join(fields), *rest]) + "\n", encoding="utf-8")
    return target


@pytest.fixture(scope="module")
def webhook():
    _Webhook.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Webhook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/alerts", _Webhook.received
    server.shutdown()
    thread.join()


@pytest.fixture(scope="module")
def stack(webhook):
    url, _ = webhook
    with tempfile.TemporaryDirectory(prefix="dag-stack-alerts-") as scratch:
        Path(scratch).chmod(0o755)  # the embedded PostgreSQL runs as another user when tests run as root
        snapshots = _snapshots_with_a_negative_volume(Path(scratch) / "krx")
        running = RunningStack(
            root=repository_root(),
            data_dir=Path(scratch) / "data",
            extra_env={
                **embedded_postgres_env(),
                "CD_KRX_SNAPSHOT_DIR": str(snapshots),
                "PLATFORM_ALERT_WEBHOOK_URL": url,
            },
        )
        with running.loaded():
            yield running


def _ticked(stack: RunningStack, sensor: str) -> bool:
    selector = {
        "repositoryLocationName": "platform",
        "repositoryName": "__repository__",
        "sensorName": sensor,
    }
    result = stack.graphql.query(SENSOR_TICKS, {"selector": selector})["sensorOrError"]
    assert result["__typename"] == "Sensor", result
    state = result["sensorState"]
    assert state["status"] == "RUNNING", f"{sensor} is not running by default: {state}"
    return any(tick["status"] in {"SUCCESS", "SKIPPED"} for tick in state["ticks"])


def _alerts(stack: RunningStack) -> list[tuple]:
    try:
        with psycopg.connect(stack.embedded_database_url("platform")) as conn:
            return conn.execute(
                "SELECT kind, location, job_name, run_id, asset_key, check_name, partition_key, "
                "severity, message, webhook_status FROM alerts ORDER BY created_at"
            ).fetchall()
    except psycopg.errors.UndefinedTable:
        return []


def test_a_failed_nps_run_and_a_failed_cd_check_each_raise_exactly_one_alert(stack, webhook):
    _, received = webhook
    started = time.monotonic()
    for sensor in SENSORS:  # both cursors start at their first tick: failures after it are seen
        wait_for(lambda sensor=sensor: _ticked(stack, sensor), 180, f"a first tick of {sensor}", stack=stack)
    client = stack.graphql
    nps_run = client.launch_assets("nps", ["nps_his_download"], tags={"dagster/partition": MISSING_NPS_MONTH})
    cd_run = client.launch_job("cd", "cd_daily_update_job", {"dagster/partition": f"{CD_DAY}|{CD_EXCHANGE}"})
    assert client.wait_for_run(nps_run, timeout=300)["status"] == "FAILURE"
    assert client.wait_for_run(cd_run, timeout=600)["status"] == "SUCCESS", stack.output()[-3000:]

    def ours() -> list[tuple]:
        rows = [row for row in _alerts(stack) if row[3] in {nps_run, cd_run}]
        delivered = all(row[-1] == "sent" for row in rows)
        return rows if len(rows) >= 2 and delivered else []

    wait_for(ours, 120, "an alert for each failure, posted to the webhook", stack=stack)
    raised = time.monotonic() - started
    time.sleep(35)  # two more ticks of each sensor: nothing is alerted twice
    rows = [row for row in _alerts(stack) if row[3] in {nps_run, cd_run}]
    by_kind = {row[0]: row for row in rows}
    assert len(rows) == 2 and set(by_kind) == {"run_failure", "check_failure"}, rows

    _, location, job, run_id, _, _, partition, severity, message, _ = by_kind["run_failure"]
    assert (location, job, run_id, partition, severity) == (
        "nps",
        "__ASSET_JOB",
        nps_run,
        MISSING_NPS_MONTH,
        "ERROR",
    )
    assert "nps_his_download" in message

    _, location, job, run_id, asset, check, partition, severity, message, _ = by_kind["check_failure"]
    assert (location, job, run_id, asset, check) == (
        "cd",
        "cd_daily_update_job",
        cd_run,
        "cd_digest_price",
        "no_negative_price_values",
    )
    assert partition == f"{CD_DAY}|{CD_EXCHANGE}" and severity == "ERROR" and "negative_rows=1" in message

    posted = [m["text"] for m in received if nps_run in json.dumps(m) or cd_run in json.dumps(m)]
    assert len(posted) == 2, posted
    assert any(t.startswith("Run of `__ASSET_JOB` failed in `nps`") for t in posted), posted
    assert any(t.startswith("Check `cd_digest_price:no_negative_price_values`") for t in posted), posted
    print(f"\nboth alerts recorded and posted {raised:.0f}s after the sensors' first ticks were seen")
