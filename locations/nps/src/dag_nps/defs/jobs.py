"""Jobs of the `nps` location: the history backfill and the monthly end-to-end run (names kept from legacy)."""

from __future__ import annotations

import dagster as dg

from dag_nps.defs.partitions import NPS_MONTHS

nps_history_job = dg.define_asset_job(
    "nps_history_job",
    selection=dg.AssetSelection.groups("NPS"),
    partitions_def=NPS_MONTHS,
    description="NPS 과거 데이터 한번에 가지고 오기: the NPS group over the months selected (backfill).",
    tags={"source": "NPS", "type": "history"},
)

nps_monthly_job = dg.define_asset_job(
    "nps_monthly_job",
    selection=dg.AssetSelection.groups("NPS") | dg.AssetSelection.groups("NPS_SaaS"),
    partitions_def=NPS_MONTHS,
    description="The latest month end to end, then the SaaS/KYC layer.",
    tags={"source": "NPS", "type": "monthly"},
)
