"""`platform_run_failure_alerts`: every run that fails in any code location becomes one alert.

A run-failure sensor over all code locations (`monitor_all_code_locations`), running by default.
Dagster's run-status cursor hands each failure to one tick; the alert's key `run:<run id>` in the
`alerts` table makes a repeated report (a reset cursor, a retried tick) a no-op. A run retried by
the instance's run-retry policy is a new run: its failure, if any, is a new alert.
"""

from __future__ import annotations

from datetime import UTC, datetime

import dagster as dg

from dag_ops.defs.resources import AlertSinkResource

RUN_FAILURE_INTERVAL_SECONDS = 15


def _ended_at(context: dg.RunFailureSensorContext) -> datetime:
    record = context.instance.get_run_record_by_id(context.dagster_run.run_id)
    ended = record.end_time if record else None
    return datetime.fromtimestamp(ended, UTC) if ended else datetime.now(UTC)


def run_failure_alert(context: dg.RunFailureSensorContext):
    from dag_ops.lib.alerts import Alert

    run = context.dagster_run
    event = context.failure_event
    origin = run.remote_job_origin
    location = origin.location_name if origin else run.tags.get("dagster/code_location")
    message = event.message or "run failed"
    steps = [e.step_key for e in context.get_step_failure_events() if e.step_key]
    if steps:
        message += f" Failed steps: {', '.join(steps)}."
    return Alert(
        kind="run_failure",
        run_id=run.run_id,
        message=message,
        occurred_at=_ended_at(context),
        location=location,
        job_name=run.job_name,
        partition_key=run.tags.get("dagster/partition"),
    )


@dg.run_failure_sensor(
    name="platform_run_failure_alerts",
    monitor_all_code_locations=True,
    minimum_interval_seconds=RUN_FAILURE_INTERVAL_SECONDS,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Every failed run of every code location → one row in `alerts` (platform database) "
    "and, when PLATFORM_ALERT_WEBHOOK_URL is set, one Slack-compatible message.",
)
def platform_run_failure_alerts(context: dg.RunFailureSensorContext, alert_sink: AlertSinkResource):
    new = alert_sink.raise_alerts([run_failure_alert(context)])
    context.log.info(f"run {context.dagster_run.run_id}: {'alert raised' if new else 'already alerted'}")
