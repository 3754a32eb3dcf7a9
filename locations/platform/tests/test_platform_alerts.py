"""Alerts from real failures on a real instance: one row per failed run and per failed check evaluation,
never two, and a Slack-compatible message posted to a webhook when one is configured."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import ClassVar

import dagster as dg
import psycopg
import pytest
from dag_ops.defs.platform_check_failure_alerts import platform_check_failure_alerts
from dag_ops.defs.platform_run_failure_alerts import platform_run_failure_alerts
from dag_ops.defs.resources import AlertSinkResource


@dg.asset(check_specs=[dg.AssetCheckSpec("no_negative_prices", asset="prices")])
def prices():
    yield dg.Output([1, -2, 3])
    yield dg.AssetCheckResult(check_name="no_negative_prices", passed=False, metadata={"negative_rows": 1})


@dg.asset
def broken():
    raise ValueError("the source file is truncated at line 7")


def _instance(postgres_url: str):
    """An instance on Postgres, like the stack's: the event log is queried across runs."""
    return dg.instance_for_test(overrides={"storage": {"postgres": {"postgres_url": postgres_url}}})


def _alerts(url: str) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(
            "SELECT kind, job_name, asset_key, check_name, severity, webhook_status, message "
            "FROM alerts ORDER BY kind, alert_key"
        ).fetchall()


def _check_tick(instance, cursor, sink):
    context = dg.build_sensor_context(instance=instance, cursor=cursor, resources={"alert_sink": sink})
    platform_check_failure_alerts(context)
    return context.cursor


def _run_failure_tick(instance, result, sink):
    run = instance.get_run_by_id(result.run_id)
    failure = next(e for e in result.all_events if e.event_type == dg.DagsterEventType.RUN_FAILURE)
    context = dg.build_run_status_sensor_context(
        sensor_name="platform_run_failure_alerts",
        dagster_event=failure,
        dagster_instance=instance,
        dagster_run=run,
        resources={"alert_sink": sink},
    ).for_run_failure()
    platform_run_failure_alerts(context)


def test_a_failed_check_becomes_one_alert_even_when_the_cursor_is_reset(postgres_url):
    sink = AlertSinkResource(postgres_url=postgres_url, webhook_url="")
    with _instance(postgres_url) as instance:
        cursor = _check_tick(instance, None, sink)  # first tick: start at the newest event
        assert dg.materialize([prices], instance=instance).success
        after = _check_tick(instance, cursor, sink)
        assert int(after) > int(cursor)
        _check_tick(instance, cursor, sink)  # the same evaluation reported again
        rows = _alerts(postgres_url)
    assert len(rows) == 1
    kind, job, asset, check, severity, webhook, message = rows[0]
    assert (kind, job, asset, check, severity, webhook) == (
        "check_failure",
        "__ephemeral_asset_job__",  # dg.materialize's job; on the stack, __ASSET_JOB
        "prices",
        "no_negative_prices",
        "ERROR",
        "none",
    )
    assert "negative_rows=1" in message


def test_history_before_the_first_tick_is_not_alerted(postgres_url):
    sink = AlertSinkResource(postgres_url=postgres_url, webhook_url="")
    with _instance(postgres_url) as instance:
        assert dg.materialize([prices], instance=instance).success
        cursor = _check_tick(instance, None, sink)
        assert _check_tick(instance, cursor, sink) == cursor
    with psycopg.connect(postgres_url) as conn:
        exists = conn.execute("SELECT to_regclass('alerts') IS NOT NULL").fetchone()[0]
        assert not exists or conn.execute("SELECT count(*) FROM alerts").fetchone()[0] == 0


def test_a_failed_run_becomes_one_alert_naming_the_job_and_the_error(postgres_url):
    sink = AlertSinkResource(postgres_url=postgres_url, webhook_url="")
    with _instance(postgres_url) as instance:
        result = dg.materialize([broken], instance=instance, raise_on_error=False)
        assert not result.success
        _run_failure_tick(instance, result, sink)
        _run_failure_tick(instance, result, sink)
    rows = _alerts(postgres_url)
    assert len(rows) == 1
    kind, job, _, _, severity, webhook, message = rows[0]
    assert (kind, job, severity, webhook) == ("run_failure", "__ephemeral_asset_job__", "ERROR", "none")
    assert "broken" in message


class _Webhook(BaseHTTPRequestHandler):
    received: ClassVar[list[dict]] = []
    fail_next: ClassVar[int] = 0

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if _Webhook.fail_next:
            _Webhook.fail_next -= 1
            self.send_response(500)
        else:
            _Webhook.received.append(body)
            self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def webhook():
    _Webhook.received, _Webhook.fail_next = [], 0
    server = HTTPServer(("127.0.0.1", 0), _Webhook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hook", _Webhook
    server.shutdown()
    thread.join()


def test_a_configured_webhook_gets_one_slack_message_and_a_failed_post_is_retried(postgres_url, webhook):
    url, hook = webhook
    sink = AlertSinkResource(postgres_url=postgres_url, webhook_url=url)
    hook.fail_next = 1
    with _instance(postgres_url) as instance:
        cursor = _check_tick(instance, None, sink)
        assert dg.materialize([prices], instance=instance).success
        with pytest.raises(dg.Failure, match="posting 1 alert"):
            _check_tick(instance, cursor, sink)  # recorded, but the webhook answered 500
        assert [row[5] for row in _alerts(postgres_url)] == ["failed"]
        _check_tick(instance, cursor, sink)  # the next tick: no new row, the post is retried
    assert [row[5] for row in _alerts(postgres_url)] == ["sent"]
    assert len(hook.received) == 1
    message = hook.received[0]
    assert message["text"].startswith("Check `prices:no_negative_prices` failed (ERROR)")
    assert message["blocks"][0]["type"] == "section"
