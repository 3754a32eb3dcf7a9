"""Freshness checks of the IS gold assets and the sensors that evaluate them and their automation.

The legacy checks used a 10-minute bound on 10-minute cadences and flapped (defect A11-29): here
the bound is the cadence plus slack (35 minutes), severity WARN, non-blocking. The automation
sensor evaluates the gold assets' conditions (`gold_cadence`); like the location's other sensors
and schedules, both start STOPPED.
"""

import dagster as dg

from dag_is.defs.gold_cadence import FRESHNESS_10MIN
from dag_is.defs.jobs import IS_GOLD_ASSETS

# The automation covers the chain of is_trends_clusters_job and the daily retention.
GOLD_ASSETS = [*IS_GOLD_ASSETS, "is_trends_retention"]
FRESH_ASSETS = ["is_post_trends", "is_keyword_trends", "is_cluster_rotation"]

is_gold_freshness_checks = dg.build_last_update_freshness_checks(
    assets=[dg.AssetKey(name) for name in FRESH_ASSETS],
    lower_bound_delta=FRESHNESS_10MIN,
    severity=dg.AssetCheckSeverity.WARN,
    blocking=False,
)

freshness_checks_sensor = dg.build_sensor_for_freshness_checks(
    freshness_checks=is_gold_freshness_checks,
    name="freshness_checks_sensor",
    default_status=dg.DefaultSensorStatus.STOPPED,
)

is_gold_automation_sensor = dg.AutomationConditionSensorDefinition(
    "is_gold_automation_sensor",
    target=dg.AssetSelection.assets(*GOLD_ASSETS),
    default_status=dg.DefaultSensorStatus.STOPPED,
    description="IS 골드 애셋(추세, 키워드 추세, 클러스터, 순환, 보존)의 Asia/Seoul 크론 자동화 조건을 평가합니다.",
)
