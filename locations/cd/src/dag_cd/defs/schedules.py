"""The daily schedules: the three exchange runs of each KRX trading day after the close
(18:00 KST for Postgres, 18:30 for the Turso mirror); days KRX does not trade (XKRX) are skipped."""

from __future__ import annotations

from datetime import date

import dagster as dg

from dag_cd.defs import jobs
from dag_cd.lib.krx import EXCHANGES
from dag_cd.lib.trading_calendar import TIMEZONE, daily_sessions


def trading_day_run_requests(job_name: str, day: date) -> list[dg.RunRequest] | dg.SkipReason:
    """The three exchange runs of `day`, or a skip when KRX does not trade that day."""
    if day not in set(daily_sessions()):
        return dg.SkipReason(f"{day} is not a KRX trading day (XKRX)")
    return [
        dg.RunRequest(
            run_key=f"{job_name}:{day}|{exchange}", partition_key=f"{day}|{exchange}", tags=jobs.DAILY_TAGS
        )
        for exchange in EXCHANGES
    ]


def _daily_schedule(job: dg.UnresolvedAssetJobDefinition, cron: str) -> dg.ScheduleDefinition:
    @dg.schedule(
        name=f"{job.name}_schedule",
        job=job,
        cron_schedule=cron,
        execution_timezone=TIMEZONE,
        default_status=dg.DefaultScheduleStatus.STOPPED,
        tags=jobs.DAILY_TAGS,
        description="매일 주식 가격 업데이트 스케줄: the day's three exchange partitions after the close, "
        "trading days only.",
    )
    def _schedule(context: dg.ScheduleEvaluationContext):
        return trading_day_run_requests(job.name, context.scheduled_execution_time.date())

    return _schedule


cd_daily_update_schedule = _daily_schedule(jobs.cd_daily_update_job, "0 18 * * 1-5")
cd_daily_update_turso_schedule = _daily_schedule(jobs.cd_daily_update_turso_job, "30 18 * * 1-5")
