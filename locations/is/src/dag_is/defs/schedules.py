"""Schedules of the `is` location, all in Asia/Seoul (legacy spec A10.2; defect A11-38).

- `is_crawler_job_10min_schedule`: minutes 4, 14, …, 54 → incremental crawls.
- `is_crawler_executor_interval_schedule`: one schedule with the legacy crons; the tick decides the
  window (`interval_window`). Fixed legacy defects (A11-37): the 24 h window runs once a day (02:58),
  and the 48 h window runs at 04:50 on every other day counted from a fixed epoch, not `*/2` on the
  day of month (which restarted at every month boundary).
- `is_snapshot_retention_schedule`: daily at 03:30.
All start STOPPED, as in the legacy system; turn them on in the UI.
"""

from datetime import datetime

import dagster as dg

from dag_is.defs.board_crawl import BOARDS

TIMEZONE = "Asia/Seoul"
INTERVAL_CRONS = [
    "8,38 * * * *",
    "18 * * * *",
    "28 */3 * * *",
    "48 */6 * * *",
    "0 */12 * * *",
    "58 2 * * *",
    "50 4 * * *",
]


def interval_window(tick: datetime) -> str | None:
    """The window a tick of the interval schedule crawls (None: a 48 h tick on an off day)."""
    minute, hour = tick.minute, tick.hour
    if minute in (8, 38):
        return "30m"
    if minute == 50 and hour == 4:
        return "48h" if tick.date().toordinal() % 2 == 0 else None
    if minute == 58 and hour == 2:
        return "24h"
    if minute == 0 and hour % 12 == 0:
        return "12h"
    if minute == 48 and hour % 6 == 0:
        return "6h"
    if minute == 28 and hour % 3 == 0:
        return "3h"
    return "1h"


def interval_run_config(window: str) -> dict:
    return {
        "ops": {f"is_crawl_{board}": {"config": {"mode": "interval", "window": window}} for board in BOARDS}
    }


is_crawler_job_10min_schedule = dg.ScheduleDefinition(
    name="is_crawler_job_10min_schedule",
    job_name="is_crawler_job_10min",
    cron_schedule="4,14,24,34,44,54 * * * *",
    execution_timezone=TIMEZONE,
    default_status=dg.DefaultScheduleStatus.STOPPED,
    description="매 10분마다 IS 크롤러 실행 (incremental, 신규 게시글만)",
)


@dg.schedule(
    name="is_crawler_executor_interval_schedule",
    job_name="is_crawler_parallel_job",
    cron_schedule=INTERVAL_CRONS,
    execution_timezone=TIMEZONE,
    default_status=dg.DefaultScheduleStatus.STOPPED,
    description="IS 크롤러 interval 모드: 30분·1·3·6·12·24·48시간 창을 틱 시각에 따라 실행",
)
def is_crawler_executor_interval_schedule(context: dg.ScheduleEvaluationContext):
    tick = context.scheduled_execution_time
    window = interval_window(tick)
    if window is None:
        return dg.SkipReason(f"{tick:%Y-%m-%d}: the 48 h window runs every other day")
    return dg.RunRequest(
        run_key=f"interval_{window}_{tick:%Y%m%dT%H%M}",
        run_config=interval_run_config(window),
        tags={"interval": window},
    )


is_snapshot_retention_schedule = dg.ScheduleDefinition(
    name="is_snapshot_retention_schedule",
    job_name="is_snapshot_retention_job",
    cron_schedule="30 3 * * *",
    execution_timezone=TIMEZONE,
    default_status=dg.DefaultScheduleStatus.STOPPED,
    description="매일 03:30 보존 기간이 지난 post_snapshots 삭제",
)
