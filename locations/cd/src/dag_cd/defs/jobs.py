"""The CD jobs: the daily load per (day, exchange) and the day's gold steps, each on Postgres and
on the Turso mirror, and the month-end history backfill. Names are the legacy job names."""

from __future__ import annotations

import dagster as dg

from dag_cd.defs.cd_daily.factory import POSTGRES_SINK, TURSO_SINK, daily_selection
from dag_cd.defs.cd_daily.steps import DAY, DAY_EXCHANGE

DAILY_TAGS = {"type": "daily_update"}

cd_daily_update_job = dg.define_asset_job(
    "cd_daily_update_job",
    selection=daily_selection(POSTGRES_SINK, DAY_EXCHANGE),
    tags=DAILY_TAGS,
    description="매일 주식 가격 업데이트: KRX → Postgres, one run per trading day and exchange.",
)
cd_daily_update_turso_job = dg.define_asset_job(
    "cd_daily_update_turso_job",
    selection=daily_selection(TURSO_SINK, DAY_EXCHANGE),
    tags=DAILY_TAGS,
    description="매일 주식 가격 업데이트 (TursoDB): KRX → the Turso mirror.",
)
cd_daily_gold_job = dg.define_asset_job(
    "cd_daily_gold_job",
    selection=daily_selection(POSTGRES_SINK, DAY) | dg.AssetSelection.assets("cd_listed_companies"),
    tags=DAILY_TAGS,
    description="Latest metrics, company market caps and ranks, security ranks for one trading day, "
    "then the day's listed-company data product (cd_listed_companies).",
)
cd_daily_gold_turso_job = dg.define_asset_job(
    "cd_daily_gold_turso_job",
    selection=daily_selection(TURSO_SINK, DAY),
    tags=DAILY_TAGS,
    description="The gold steps of one trading day on the Turso mirror.",
)
cd_history_job = dg.define_asset_job(
    "cd_history_job",
    selection=dg.AssetSelection.groups("CD_HISTORY"),
    tags={"type": "history"},
    description="과거 데이터 한번에 가지고 오기: month-end history into DuckDB, then Postgres.",
)
