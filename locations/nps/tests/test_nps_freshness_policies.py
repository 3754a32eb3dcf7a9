"""The NPS monthly assets carry the freshness policy of the monthly run, and the spec's checks remain."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from dag_nps.definitions import defs
from dag_nps.defs.freshness_policies import MONTHLY_DEADLINE_CRON, MONTHLY_WINDOW, TIMEZONE
from dag_shared.testing_freshness import loaded_policies
from dagster._core.definitions.freshness import CronFreshnessPolicy
from dagster._utils.schedules import cron_string_iterator


def test_every_asset_of_the_monthly_run_has_the_monthly_cron_policy_in_asia_seoul():
    policies = loaded_policies(defs)
    monthly_run = defs.resolve_job_def("nps_monthly_job").asset_layer.executable_asset_keys
    assert {key.to_user_string() for key in monthly_run} == set(policies)
    for name, policy in policies.items():
        assert isinstance(policy, CronFreshnessPolicy), name
        assert (policy.deadline_cron, policy.lower_bound_delta, policy.timezone) == (
            MONTHLY_DEADLINE_CRON,
            MONTHLY_WINDOW,
            TIMEZONE,
        )


def test_the_monthly_schedule_starts_inside_the_window_the_policy_expects_a_materialization_in():
    schedule = defs.resolve_schedule_def("nps_monthly_job_schedule")
    zone = ZoneInfo(TIMEZONE)
    start = datetime(2026, 1, 1, tzinfo=zone)
    deadlines = cron_string_iterator(start.timestamp(), MONTHLY_DEADLINE_CRON, TIMEZONE)
    runs = cron_string_iterator(start.timestamp(), schedule.cron_schedule, schedule.execution_timezone)
    for _ in range(12):
        deadline, run = next(deadlines), next(runs)
        assert deadline - MONTHLY_WINDOW <= run < deadline, (run, deadline)
        assert deadline - run >= timedelta(hours=6), "the run has hours to finish before the deadline"


def test_the_specs_freshness_checks_remain_beside_the_policies():
    checks = {key.to_user_string() for key in defs.resolve_asset_graph().asset_check_keys}
    assert "nps_his_postgres_append:nps_pension_latest_month_fresh" in checks
    assert "nps_saas_etl_run:check_recent_freshness" in checks
