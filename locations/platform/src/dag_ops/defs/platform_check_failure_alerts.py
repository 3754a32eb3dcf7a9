"""`platform_check_failure_alerts`: every failed asset-check evaluation in any location becomes one alert.

The sensor reads the instance's event log (shared by every location; the storage's query, as the
instance's own is deprecated for 2.0) for check evaluations after
its cursor, the storage id of the last event it handled. Its first tick starts at the newest event,
so history is not alerted on. A failed evaluation (ERROR or WARN severity) becomes one alert keyed
`check:<run id>:<asset>:<check>[:<partition>]`; the cursor moves only after the alerts are
recorded, and the key makes a second report of the same evaluation a no-op.
"""

from __future__ import annotations

from datetime import UTC, datetime

import dagster as dg

from dag_ops.defs.resources import AlertSinkResource

CHECK_FAILURE_INTERVAL_SECONDS = 15
EVENTS_PER_TICK = 500


def _latest_storage_id(instance: dg.DagsterInstance) -> int:
    records = instance.event_log_storage.get_event_records(
        dg.EventRecordsFilter(event_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION), limit=1, ascending=False
    )
    return records[0].storage_id if records else 0


def check_failure_alerts(instance: dg.DagsterInstance, after: int) -> tuple[list, int]:
    """Alerts of the failed check evaluations after storage id `after`, and the new cursor."""
    from dag_ops.lib.alerts import Alert

    records = instance.event_log_storage.get_event_records(
        dg.EventRecordsFilter(event_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION, after_cursor=after),
        limit=EVENTS_PER_TICK,
        ascending=True,
    )
    alerts, runs = [], {}
    for record in records:
        entry = record.event_log_entry
        evaluation = entry.dagster_event.event_specific_data
        if evaluation.passed:
            continue
        if entry.run_id not in runs:
            runs[entry.run_id] = instance.get_run_by_id(entry.run_id)
        run = runs[entry.run_id]
        origin = run.remote_job_origin if run else None
        metadata = ", ".join(f"{k}={getattr(v, 'value', v)}" for k, v in (evaluation.metadata or {}).items())
        message = evaluation.description or f"check {evaluation.check_name} did not pass"
        alerts.append(
            Alert(
                kind="check_failure",
                run_id=entry.run_id,
                message=f"{message} ({metadata})" if metadata else message,
                occurred_at=datetime.fromtimestamp(entry.timestamp, UTC),
                severity=evaluation.severity.value,
                location=origin.location_name
                if origin
                else (run.tags.get("dagster/code_location") if run else None),
                job_name=run.job_name if run else None,
                asset_key=evaluation.asset_key.to_user_string(),
                check_name=evaluation.check_name,
                partition_key=evaluation.partition or (run.tags.get("dagster/partition") if run else None),
            )
        )
    return alerts, (records[-1].storage_id if records else after)


@dg.sensor(
    name="platform_check_failure_alerts",
    minimum_interval_seconds=CHECK_FAILURE_INTERVAL_SECONDS,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Every failed asset-check evaluation of every code location → one row in `alerts` "
    "(platform database) and, when PLATFORM_ALERT_WEBHOOK_URL is set, one Slack-compatible message.",
)
def platform_check_failure_alerts(context: dg.SensorEvaluationContext, alert_sink: AlertSinkResource):
    if context.cursor is None:
        start = _latest_storage_id(context.instance)
        context.update_cursor(str(start))
        return dg.SkipReason(f"watching check evaluations after event {start}")
    alerts, cursor = check_failure_alerts(context.instance, int(context.cursor))
    new = alert_sink.raise_alerts(alerts) if alerts else []
    context.update_cursor(str(cursor))
    return dg.SkipReason(f"{len(new)} new alert(s) of {len(alerts)} failed evaluation(s); cursor {cursor}")
