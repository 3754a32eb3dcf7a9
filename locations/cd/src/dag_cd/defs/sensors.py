"""The sensor that runs each trading day's gold steps once, after all three exchanges.

The day-only gold steps carry an eager automation condition: this sensor requests them for a day
once every exchange partition of that day is in, and never while one is still running, so they
run once per day instead of once per exchange. However a gold run is started, its steps refuse to
run unless every exchange of the day loaded successfully (`dag_cd.lib.guards.require_day_loaded`),
naming the exchange(s) that did not.

It is evaluated every 5 s (the asset daemon's shortest loop) rather than Dagster's default 30 s: a
day's gold run then starts within seconds of the third exchange's end, and an evaluation that finds
nothing to do reads a few partition statuses (docs/run-cost.md).
"""

from __future__ import annotations

import dagster as dg

from dag_cd.defs.cd_daily.factory import POSTGRES_SINK, TURSO_SINK, daily_selection
from dag_cd.defs.cd_daily.steps import DAY

# The asset daemon loops at most every 5 s, so a shorter interval would change nothing.
GOLD_SENSOR_INTERVAL_SECONDS = 5

cd_gold_automation_sensor = dg.AutomationConditionSensorDefinition(
    "cd_gold_automation_sensor",
    target=daily_selection(POSTGRES_SINK, DAY)
    | daily_selection(TURSO_SINK, DAY)
    | dg.AssetSelection.assets("cd_listed_companies"),
    default_status=dg.DefaultSensorStatus.RUNNING,
    minimum_interval_seconds=GOLD_SENSOR_INTERVAL_SECONDS,
    description="Runs each trading day's gold steps once all three exchange partitions are in, "
    "then publishes the day's cd_listed_companies.",
)
