"""Trading calendar (XKRX), partitions and the schedule that runs trading days only."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import dagster as dg
from dag_cd.definitions import defs
from dag_cd.defs.partitions import day_exchange_partitions
from dag_cd.defs.schedules import cd_daily_update_schedule
from dag_cd.lib.trading_calendar import (
    DAILY_START,
    SESSIONS_FILE,
    month_end_sessions,
    xkrx_sessions,
)


def test_the_bundled_sessions_are_exchange_calendars_xkrx_sessions():
    bundled = [date.fromisoformat(d) for d in SESSIONS_FILE.read_text().split()]
    assert bundled[0] == DAILY_START
    assert bundled == xkrx_sessions(DAILY_START, bundled[-1])


def test_partitions_are_trading_days_times_exchanges_with_a_fixed_start():
    keys = day_exchange_partitions.get_partition_keys()
    assert (
        keys[:3] == ["2024-01-02|KONEX", "2024-01-02|KOSDAQ", "2024-01-02|KOSPI"]
        or "2024-01-02|KOSPI" in keys
    )
    assert "2024-01-02|KOSPI" in keys and "2024-01-02|KONEX" in keys
    assert not any(k.startswith("2024-01-06") for k in keys)  # Saturday
    assert not any(k.startswith("2024-02-09") for k in keys)  # Seollal
    assert not any(k.startswith("2023-") for k in keys)


def test_month_ends_are_the_last_trading_day_of_each_month_including_the_year_end_closure():
    month_ends = month_end_sessions(2023, date(2024, 3, 28))
    assert month_ends[11] == date(2023, 12, 28)  # KRX closes on the year's last weekday
    assert month_ends[-1] == date(2024, 2, 29)  # March is not over yet
    assert len(month_ends) == 14


def _tick(when: datetime):
    context = dg.build_schedule_context(
        scheduled_execution_time=when, repository_def=defs.get_repository_def()
    )
    return cd_daily_update_schedule.evaluate_tick(context)


def test_the_schedule_runs_the_three_exchanges_after_the_close_on_trading_days_only():
    seoul = ZoneInfo("Asia/Seoul")
    result = _tick(datetime(2024, 1, 3, 18, 0, tzinfo=seoul))
    assert sorted(r.partition_key for r in result.run_requests) == [
        "2024-01-03|KONEX",
        "2024-01-03|KOSDAQ",
        "2024-01-03|KOSPI",
    ]
    holiday = _tick(datetime(2024, 2, 9, 18, 0, tzinfo=seoul))
    assert not holiday.run_requests and "not a KRX trading day" in holiday.skip_message
    schedule = cd_daily_update_schedule
    assert schedule.name == "cd_daily_update_job_schedule"
    assert schedule.execution_timezone == "Asia/Seoul" and schedule.cron_schedule == "0 18 * * 1-5"
