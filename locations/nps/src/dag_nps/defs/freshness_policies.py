"""When the NPS monthly assets are late: the location's one freshness mapping (definitions.py applies it).

The monthly run (`nps_monthly_job_schedule`) starts on the 20th at 06:00 Asia/Seoul, after the NPS
has published the month. Every asset of that run (groups NPS and NPS_SaaS) is expected to have
materialized between 06:00 and 18:00 on the 20th: from 18:00 a month without a run shows as
failing its freshness policy in the UI until the run succeeds. The data's own freshness (the
newest month in `pension` and the SaaS tables) stays with the checks of the spec.
"""

from __future__ import annotations

from datetime import timedelta

import dagster as dg

MONTHLY_GROUPS = frozenset({"NPS", "NPS_SaaS"})
MONTHLY_DEADLINE_CRON = "0 18 20 * *"
MONTHLY_WINDOW = timedelta(hours=12)  # the run's start at 06:00 up to the 18:00 deadline
TIMEZONE = "Asia/Seoul"

MONTHLY = dg.FreshnessPolicy.cron(
    deadline_cron=MONTHLY_DEADLINE_CRON, lower_bound_delta=MONTHLY_WINDOW, timezone=TIMEZONE
)


def freshness_policy(spec: dg.AssetSpec) -> dg.FreshnessPolicy | None:
    return MONTHLY if spec.group_name in MONTHLY_GROUPS else None
