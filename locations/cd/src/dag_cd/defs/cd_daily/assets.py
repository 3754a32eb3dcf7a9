"""The daily graph's assets: every step of `steps.STEPS` on Postgres (group CD) and on the Turso
mirror (group CD_TURSO)."""

from __future__ import annotations

from dag_cd.defs.cd_daily.factory import POSTGRES_SINK, TURSO_SINK, build_daily_assets

cd_daily_assets = build_daily_assets(POSTGRES_SINK)
cd_daily_turso_assets = build_daily_assets(TURSO_SINK)
