"""Cadences of the IS gold assets: declarative automation conditions on crons in Asia/Seoul.

The legacy constants (spec A10.3) were evaluated in UTC (defect A11-38); here every cron names
its time zone. `on_cron` fires once per tick, after every dependency has updated since the tick, so
the gold assets run on their own cadence and not once per ingested crawl file (defect A11-8).
"""

from datetime import timedelta

import dagster as dg

TIMEZONE = "Asia/Seoul"
CRON_10MIN = "4,14,24,34,44,54 * * * *"
CRON_30MIN = "8,38 * * * *"
CRON_HOURLY = "18 * * * *"
CRON_DAILY_RETENTION = "40 3 * * *"

ON10 = dg.AutomationCondition.on_cron(CRON_10MIN, TIMEZONE)
ON30 = dg.AutomationCondition.on_cron(CRON_30MIN, TIMEZONE)
ON1H = dg.AutomationCondition.on_cron(CRON_HOURLY, TIMEZONE)
BLOCKS_OK = dg.AutomationCondition.all_deps_blocking_checks_passed()


def on10_waiting_only_for(*deps: str) -> dg.AutomationCondition:
    """ON10 that waits for the named dependencies only (the others update on slower cadences)."""
    return (
        dg.AutomationCondition.in_latest_time_window()
        & dg.AutomationCondition.cron_tick_passed(CRON_10MIN, TIMEZONE).since_last_handled()
        & dg.AutomationCondition.all_deps_updated_since_cron(CRON_10MIN, TIMEZONE).allow(
            dg.AssetSelection.assets(*deps)
        )
    ).with_label(f"on_cron({CRON_10MIN}, {TIMEZONE}) after {', '.join(deps)}")


# Freshness bounds: the cadence plus slack, so one late or skipped tick does not flap (A11-29).
FRESHNESS_10MIN = timedelta(minutes=35)
