"""The IS 10-minute assets carry a freshness policy with slack over the crawl schedule's cadence."""

from __future__ import annotations

from datetime import timedelta

import dagster as dg
from dag_is.definitions import defs
from dag_is.defs.freshness_policies import TEN_MINUTE_CRON
from dag_is.defs.is_posts import INGEST_ASSETS
from dagster._core.definitions.freshness import TimeWindowFreshnessPolicy


def _policies() -> dict[str, dg.FreshnessPolicy | None]:
    graph = defs.resolve_asset_graph()
    return {
        key.to_user_string(): graph.get(key).freshness_policy
        for key in graph.get_all_asset_keys()
        if graph.get(key).is_materializable
    }


def test_the_crawls_and_the_ingest_of_their_files_warn_after_one_missed_tick_and_fail_after_three():
    policies = _policies()
    ten_minute = [*(f"is_crawl_{b}" for b in ("clien_park", "damoang_free", "fmkorea_best", "ppomppu_hot"))]
    for name in [*ten_minute, *INGEST_ASSETS]:
        policy = policies[name]
        assert isinstance(policy, TimeWindowFreshnessPolicy), name
        assert policy.warn_window.to_timedelta() == timedelta(minutes=20)
        assert policy.fail_window.to_timedelta() == timedelta(minutes=35)


def test_the_policy_leaves_slack_over_the_ten_minute_schedule():
    schedule = defs.resolve_schedule_def("is_crawler_job_10min_schedule")
    assert schedule.cron_schedule == TEN_MINUTE_CRON
    policy = _policies()["is_crawl_clien_park"]
    assert policy.warn_window.to_timedelta() >= 2 * timedelta(minutes=10)
    assert policy.fail_window.to_timedelta() > 3 * timedelta(minutes=10)


def test_slower_assets_have_no_ten_minute_policy():
    assert _policies()["is_post_snapshots_retention"] is None
