"""When the CD daily assets are late: the location's one freshness mapping (definitions.py applies it).

The daily schedules start each trading day's three exchange runs after the close (18:00 Asia/Seoul
for Postgres, 18:30 for the Turso mirror); the gold steps and `cd_listed_companies` follow once
every exchange is in. Every day-partitioned asset of both sinks is expected to have materialized
between 18:00 and 21:00 on each weekday: from 21:00 a day without its run shows as failing its
freshness policy in the UI.

A cron cannot name KRX holidays: on a weekday KRX does not trade, the schedule skips the day and
the policy shows the assets as late until the next trading day's run. The trading-calendar-aware
judgement stays with the checks and the gold guard.
"""

from __future__ import annotations

from datetime import timedelta

import dagster as dg

DAILY_PARTITIONINGS = frozenset({"day", "day_exchange"})
DAILY_DEADLINE_CRON = "0 21 * * 1-5"
DAILY_WINDOW = timedelta(hours=3)  # the close's runs from 18:00 up to the 21:00 deadline
TIMEZONE = "Asia/Seoul"

DAILY = dg.FreshnessPolicy.cron(
    deadline_cron=DAILY_DEADLINE_CRON, lower_bound_delta=DAILY_WINDOW, timezone=TIMEZONE
)


def freshness_policy(spec: dg.AssetSpec) -> dg.FreshnessPolicy | None:
    daily = spec.tags.get("partitioning") in DAILY_PARTITIONINGS or spec.key.path == ["cd_listed_companies"]
    return DAILY if daily else None
