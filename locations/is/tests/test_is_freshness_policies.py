"""The IS 10-minute assets carry a freshness policy with slack over the crawl schedule's cadence."""

from __future__ import annotations

from datetime import timedelta

from dag_is.definitions import defs
from dag_is.defs.freshness_policies import TEN_MINUTE_CRON
from dag_is.defs.is_posts import INGEST_ASSETS
from dag_shared.testing_freshness import loaded_policies
from dagster._core.definitions.freshness import TimeWindowFreshnessPolicy


def test_the_crawls_and_the_ingest_of_their_files_warn_after_one_missed_tick_and_fail_after_three():
    policies = loaded_policies(defs)
    ten_minute = [*(f"is_crawl_{b}" for b in ("clien_park", "damoang_free", "fmkorea_best", "ppomppu_hot"))]
    for name in [*ten_minute, *INGEST_ASSETS]:
        policy = policies[name]
        assert isinstance(policy, TimeWindowFreshnessPolicy), name
        assert policy.warn_window.to_timedelta() == timedelta(minutes=20)
        assert policy.fail_window.to_timedelta() == timedelta(minutes=35)


def test_the_policy_leaves_slack_over_the_ten_minute_schedule():
    schedule = defs.resolve_schedule_def("is_crawler_job_10min_schedule")
    assert schedule.cron_schedule == TEN_MINUTE_CRON
    policy = loaded_policies(defs)["is_crawl_clien_park"]
    assert policy.warn_window.to_timedelta() >= 2 * timedelta(minutes=10)
    assert policy.fail_window.to_timedelta() > 3 * timedelta(minutes=10)


def test_slower_assets_have_no_ten_minute_policy():
    assert loaded_policies(defs)["is_post_snapshots_retention"] is None
