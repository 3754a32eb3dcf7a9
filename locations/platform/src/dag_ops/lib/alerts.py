"""Alerts of the platform: one row per failed run or failed check, and its Slack-compatible message.

The `alerts` table in the platform database is the ledger: its primary key (`run:<run id>`, or
`check:<run id>:<asset>:<check>[:<partition>]`) makes a second report of the same failure a no-op,
whatever the sensors' cursors say, so an alert is raised once. When a webhook is configured, each
new alert is posted to it; a failed post is kept as `failed` with the error and tried again on the
next tick (at most MAX_ATTEMPTS times). Without a webhook the row is the alert: operators query it.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime

MAX_ATTEMPTS = 5
WEBHOOK_TIMEOUT_SECONDS = 10

DDL = """
CREATE TABLE IF NOT EXISTS alerts (
    alert_key       text PRIMARY KEY,
    kind            text NOT NULL CHECK (kind IN ('run_failure', 'check_failure')),
    location        text,
    job_name        text,
    run_id          text NOT NULL,
    asset_key       text,
    check_name      text,
    partition_key   text,
    severity        text NOT NULL,
    message         text NOT NULL,
    occurred_at     timestamptz NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    webhook_status  text NOT NULL CHECK (webhook_status IN ('none', 'pending', 'sent', 'failed')),
    webhook_attempts integer NOT NULL DEFAULT 0,
    webhook_error   text
);
CREATE INDEX IF NOT EXISTS alerts_created_at ON alerts (created_at DESC);
"""

COLUMNS = (
    "alert_key",
    "kind",
    "location",
    "job_name",
    "run_id",
    "asset_key",
    "check_name",
    "partition_key",
    "severity",
    "message",
    "occurred_at",
)


@dataclass(frozen=True)
class Alert:
    kind: str  # run_failure or check_failure
    run_id: str
    message: str
    occurred_at: datetime
    severity: str = "ERROR"
    location: str | None = None
    job_name: str | None = None
    asset_key: str | None = None
    check_name: str | None = None
    partition_key: str | None = None
    key: str = field(init=False)

    def __post_init__(self) -> None:
        if self.kind == "run_failure":
            key = f"run:{self.run_id}"
        elif self.kind == "check_failure":
            key = f"check:{self.run_id}:{self.asset_key}:{self.check_name}"
            key += f":{self.partition_key}" if self.partition_key else ""
        else:
            raise ValueError(f"unknown alert kind {self.kind!r}")
        object.__setattr__(self, "key", key)

    def row(self) -> tuple:
        return tuple(getattr(self, "key" if name == "alert_key" else name) for name in COLUMNS)

    @property
    def title(self) -> str:
        where = f"`{self.location}`" if self.location else "an unknown location"
        if self.kind == "run_failure":
            return f"Run of `{self.job_name}` failed in {where}"
        partition = f" (partition `{self.partition_key}`)" if self.partition_key else ""
        return f"Check `{self.asset_key}:{self.check_name}`{partition} failed ({self.severity}) in {where}"


def slack_payload(alert: Alert) -> dict:
    """An incoming-webhook message: `text` for clients and notifications, blocks for Slack."""
    details = f"run `{alert.run_id}` at {alert.occurred_at.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC"
    body = alert.message if len(alert.message) <= 2500 else alert.message[:2500] + " …"
    return {
        "text": f"{alert.title}: {body}",
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": f"*{alert.title}*\n{details}"}},
            {"type": "section", "text": {"type": "mrkdwn", "text": f"```{body}```"}},
        ],
    }


def post_webhook(url: str, payload: dict) -> None:
    """POST the JSON; any answer but 2xx raises (urllib.error.HTTPError / URLError / OSError)."""
    request = urllib.request.Request(
        url,
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT_SECONDS) as response:
        response.read()


def ensure_table(conn) -> None:
    conn.execute(DDL)


def record(postgres_url: str, alerts: list[Alert], webhook: bool) -> list[Alert]:
    """Insert the alerts not recorded yet; returns those that were new."""
    import psycopg

    if not alerts:
        return []
    status = "pending" if webhook else "none"
    parameter_markers = ", ".join(["%s"] * len(COLUMNS))
    new: list[Alert] = []
    with psycopg.connect(postgres_url, application_name="dag-platform-alerts") as conn:
        ensure_table(conn)
        for alert in alerts:
            inserted = conn.execute(
                f"INSERT INTO alerts ({', '.join(COLUMNS)}, webhook_status) VALUES ({parameter_markers}, %s) "
                "ON CONFLICT (alert_key) DO NOTHING RETURNING alert_key",
                (*alert.row(), status),
            ).fetchone()
            if inserted:
                new.append(alert)
    return new


def deliver_pending(postgres_url: str, webhook_url: str, post=post_webhook) -> tuple[int, list[str]]:
    """Post every pending (or earlier failed) alert to the webhook; returns (sent, errors)."""
    import psycopg

    sent, errors = 0, []
    with psycopg.connect(postgres_url, application_name="dag-platform-alerts") as conn:
        ensure_table(conn)
        rows = conn.execute(
            f"SELECT {', '.join(COLUMNS)} FROM alerts WHERE webhook_status IN ('pending', 'failed') "
            "AND webhook_attempts < %s ORDER BY created_at, alert_key",
            (MAX_ATTEMPTS,),
        ).fetchall()
        for row in rows:
            values = dict(zip(COLUMNS, row, strict=True))
            values.pop("alert_key")
            alert = Alert(**values)
            try:
                post(webhook_url, slack_payload(alert))
            except (urllib.error.URLError, OSError, ValueError) as error:
                errors.append(f"{alert.key}: {error}")
                conn.execute(
                    "UPDATE alerts SET webhook_status = 'failed', webhook_attempts = webhook_attempts + 1, "
                    "webhook_error = %s WHERE alert_key = %s",
                    (str(error)[:1000], alert.key),
                )
            else:
                sent += 1
                conn.execute(
                    "UPDATE alerts SET webhook_status = 'sent', webhook_attempts = webhook_attempts + 1, "
                    "webhook_error = NULL WHERE alert_key = %s",
                    (alert.key,),
                )
            conn.commit()
    return sent, errors
