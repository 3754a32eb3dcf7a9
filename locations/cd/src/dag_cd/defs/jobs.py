"""Jobs, schedules and the sensor that runs each day's gold steps once, after all three exchanges.

The daily jobs hold the per-(day, exchange) steps; their schedules start the three exchange runs
of a trading day after the close (18:00 KST) and skip days KRX does not trade (XKRX). The day-only
gold steps carry an eager automation condition: the automation sensor requests them for a day
once every exchange partition of that day is in, and never while one is still running, so they
run once per day instead of once per exchange. The gold jobs re-run them by hand or in backfills.
However a gold run is started, its steps refuse to run unless every exchange of the day loaded
successfully (`cd_guards.require_day_loaded`), naming the exchange(s) that did not.
"""

from __future__ import annotations

from datetime import date

import dagster as dg

from dag_cd.cd_calendar import TIMEZONE, daily_sessions
from dag_cd.cd_daily_assets import DAY, DAY_EXCHANGE, POSTGRES_SINK, STEPS, TURSO_SINK, asset_name
from dag_cd.cd_krx import EXCHANGES

_DAILY_TAGS = {"type": "daily_update"}


def _selection(sink: str, partitioning: str) -> dg.AssetSelection:
    return dg.AssetSelection.assets(*[asset_name(s.name, sink) for s in STEPS if s.partitioning == partitioning])


cd_daily_update_job = dg.define_asset_job(
    "cd_daily_update_job",
    selection=_selection(POSTGRES_SINK, DAY_EXCHANGE),
    tags=_DAILY_TAGS,
    description="매일 주식 가격 업데이트: KRX → Postgres, one run per trading day and exchange.",
)
cd_daily_update_turso_job = dg.define_asset_job(
    "cd_daily_update_turso_job",
    selection=_selection(TURSO_SINK, DAY_EXCHANGE),
    tags=_DAILY_TAGS,
    description="매일 주식 가격 업데이트 (TursoDB): KRX → the Turso mirror.",
)
cd_daily_gold_job = dg.define_asset_job(
    "cd_daily_gold_job",
    selection=_selection(POSTGRES_SINK, DAY),
    tags=_DAILY_TAGS,
    description="Latest metrics, company market caps and ranks, security ranks for one trading day.",
)
cd_daily_gold_turso_job = dg.define_asset_job(
    "cd_daily_gold_turso_job",
    selection=_selection(TURSO_SINK, DAY),
    tags=_DAILY_TAGS,
    description="The gold steps of one trading day on the Turso mirror.",
)


def trading_day_run_requests(job_name: str, day: date) -> list[dg.RunRequest] | dg.SkipReason:
    """The three exchange runs of `day`, or a skip when KRX does not trade that day."""
    if day not in set(daily_sessions()):
        return dg.SkipReason(f"{day} is not a KRX trading day (XKRX)")
    return [
        dg.RunRequest(run_key=f"{job_name}:{day}|{exchange}", partition_key=f"{day}|{exchange}",
                      tags=_DAILY_TAGS)
        for exchange in EXCHANGES
    ]


def _daily_schedule(job: dg.UnresolvedAssetJobDefinition, cron: str) -> dg.ScheduleDefinition:
    @dg.schedule(name=f"{job.name}_schedule", job=job, cron_schedule=cron, execution_timezone=TIMEZONE,
                 default_status=dg.DefaultScheduleStatus.STOPPED, tags=_DAILY_TAGS,
                 description="매일 주식 가격 업데이트 스케줄: the day's three exchange partitions after the close, "
                             "trading days only.")
    def _schedule(context: dg.ScheduleEvaluationContext):
        return trading_day_run_requests(job.name, context.scheduled_execution_time.date())

    return _schedule


cd_daily_update_schedule = _daily_schedule(cd_daily_update_job, "0 18 * * 1-5")
cd_daily_update_turso_schedule = _daily_schedule(cd_daily_update_turso_job, "30 18 * * 1-5")

cd_gold_automation_sensor = dg.AutomationConditionSensorDefinition(
    "cd_gold_automation_sensor",
    target=_selection(POSTGRES_SINK, DAY) | _selection(TURSO_SINK, DAY),
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Runs each trading day's gold steps once all three exchange partitions are in.",
)
