"""Schedules: the interval schedule's tick decides the window, in Asia/Seoul; one run per tick."""

from datetime import datetime
from zoneinfo import ZoneInfo

import dagster as dg
import pytest
from dag_is.defs.schedules import (
    interval_window,
    is_crawler_executor_interval_schedule,
    is_crawler_job_10min_schedule,
)

SEOUL = ZoneInfo("Asia/Seoul")


@pytest.mark.parametrize(
    ("hour", "minute", "window"),
    [(9, 8, "30m"), (9, 38, "30m"), (9, 18, "1h"), (9, 28, "3h"), (12, 48, "6h"), (12, 0, "12h"), (0, 0, "12h"),
     (2, 58, "24h")],
)  # fmt: skip
def test_each_interval_tick_crawls_its_window(hour, minute, window):
    assert interval_window(datetime(2026, 11, 29, hour, minute, tzinfo=SEOUL)) == window


def test_the_48_hour_window_runs_every_other_day_across_month_ends():
    days = [datetime(2026, 11, d, 4, 50, tzinfo=SEOUL) for d in (28, 29, 30)] + [
        datetime(2026, 12, 1, 4, 50, tzinfo=SEOUL)
    ]
    assert [interval_window(d) for d in days] in (["48h", None, "48h", None], [None, "48h", None, "48h"])


def test_schedules_run_in_seoul_time_and_the_interval_run_configures_every_board():
    assert is_crawler_job_10min_schedule.execution_timezone == "Asia/Seoul"
    assert is_crawler_executor_interval_schedule.execution_timezone == "Asia/Seoul"
    context = dg.build_schedule_context(scheduled_execution_time=datetime(2026, 11, 29, 9, 28, tzinfo=SEOUL))
    (request,) = is_crawler_executor_interval_schedule.evaluate_tick(context).run_requests
    assert request.run_key == "interval_3h_20261129T0928"
    assert request.tags["interval"] == "3h"
    ops = request.run_config["ops"]
    assert set(ops) == {
        "is_crawl_clien_park",
        "is_crawl_damoang_free",
        "is_crawl_fmkorea_best",
        "is_crawl_ppomppu_hot",
    }
    assert all(op["config"] == {"mode": "interval", "window": "3h"} for op in ops.values())


def test_each_board_crawls_in_its_own_pool_so_one_run_per_board_at_a_time():
    from dag_is.definitions import defs

    pools = {}
    for board in ("clien_park", "damoang_free", "fmkorea_best", "ppomppu_hot"):
        asset = defs.resolve_assets_def(f"is_crawl_{board}")
        pools[board] = asset.op.pool
    assert pools == {b: f"is_crawler_{b}" for b in pools}
