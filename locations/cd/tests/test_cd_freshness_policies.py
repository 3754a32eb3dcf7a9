"""The CD daily assets of both sinks carry the after-the-close freshness policy; the others none."""

from __future__ import annotations

from datetime import datetime

from dag_cd.definitions import defs
from dag_cd.defs.freshness_policies import DAILY_DEADLINE_CRON, DAILY_WINDOW, TIMEZONE
from dagster._core.definitions.freshness import CronFreshnessPolicy
from dagster._utils.schedules import cron_string_iterator


def _nodes():
    graph = defs.resolve_asset_graph()
    return [graph.get(key) for key in graph.get_all_asset_keys() if graph.get(key).is_materializable]


def test_every_day_partitioned_asset_and_the_published_list_have_the_daily_policy():
    daily = [n for n in _nodes() if n.tags.get("partitioning") in {"day", "day_exchange"}]
    assert {n.group_name for n in daily} == {"CD", "CD_TURSO"} and len(daily) >= 40
    listed = [n for n in _nodes() if n.key.to_user_string() == "cd_listed_companies"]
    for node in [*daily, *listed]:
        policy = node.freshness_policy
        assert isinstance(policy, CronFreshnessPolicy), node.key
        assert (policy.deadline_cron, policy.lower_bound_delta, policy.timezone) == (
            DAILY_DEADLINE_CRON,
            DAILY_WINDOW,
            TIMEZONE,
        )


def test_history_and_logo_assets_have_no_daily_policy():
    others = [
        n for n in _nodes() if n.group_name == "CD_HISTORY" or n.key.to_user_string().startswith("cd_img")
    ]
    assert others and all(n.freshness_policy is None for n in others)


def test_both_daily_schedules_start_inside_the_window_on_every_weekday():
    for name in ("cd_daily_update_job_schedule", "cd_daily_update_turso_job_schedule"):
        schedule = defs.resolve_schedule_def(name)
        start = datetime(2026, 3, 1).timestamp()
        deadlines = cron_string_iterator(start, DAILY_DEADLINE_CRON, TIMEZONE)
        runs = cron_string_iterator(start, schedule.cron_schedule, schedule.execution_timezone)
        for _ in range(20):
            deadline, run = next(deadlines), next(runs)
            assert deadline - DAILY_WINDOW <= run < deadline, (name, run, deadline)
