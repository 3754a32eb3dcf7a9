"""The daily graph's assets: every step of `steps.STEPS` on Postgres (group CD) and on the Turso
mirror (group CD_TURSO)."""

from __future__ import annotations

from dag_shared.checks.trend_monitor import trend_monitor

from dag_cd.defs.cd_daily.factory import POSTGRES_SINK, TURSO_SINK, build_daily_assets

cd_daily_assets = build_daily_assets(POSTGRES_SINK)
cd_daily_turso_assets = build_daily_assets(TURSO_SINK)

# Guidelines §8: the day's traded value (sum of 거래대금 over every exchange loaded that day)
# against the previous six trading days, WARN above 15%.
cd_daily_traded_value_trend = trend_monitor(
    asset="cd_digest_price",
    name="cd_daily_traded_value_trend",
    metric="daily traded value (sum of price.transaction)",
    query='SELECT date, sum("transaction") FROM price GROUP BY date',
    resource_key="cd_postgres",
)
