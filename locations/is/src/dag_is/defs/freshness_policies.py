"""When the IS 10-minute assets are late: the location's one freshness mapping (definitions.py applies it).

The board crawls run every 10 minutes (`is_crawler_job_10min_schedule`), each crawl file is
ingested by `is_output_data_sensor`, and the gold assets on the same 10-minute cron follow by
declarative automation. A 10-minute bound on a 10-minute cadence flaps (the legacy freshness checks
did, spec A11-29), so the policy gives slack: a warning after 20 minutes without a
materialization (one tick missed), a failure after 35 (three ticks missed).
"""

from __future__ import annotations

from datetime import timedelta

import dagster as dg

from dag_is.defs.board_crawl import BOARDS
from dag_is.defs.is_posts import INGEST_ASSETS

TEN_MINUTE_CRON = "4,14,24,34,44,54 * * * *"
TEN_MINUTE_ASSETS = frozenset({*(f"is_crawl_{board}" for board in BOARDS), *INGEST_ASSETS})

TEN_MINUTES_WITH_SLACK = dg.FreshnessPolicy.time_window(
    fail_window=timedelta(minutes=35), warn_window=timedelta(minutes=20)
)


def _on_the_ten_minute_cron(spec: dg.AssetSpec) -> bool:
    condition = spec.automation_condition
    return condition is not None and TEN_MINUTE_CRON in (condition.get_label() or "")


def freshness_policy(spec: dg.AssetSpec) -> dg.FreshnessPolicy | None:
    ten_minute = spec.key.to_user_string() in TEN_MINUTE_ASSETS or _on_the_ten_minute_cron(spec)
    return TEN_MINUTES_WITH_SLACK if ten_minute else None
