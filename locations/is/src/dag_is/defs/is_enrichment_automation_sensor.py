"""Sensor `is_enrichment_automation_sensor`: evaluates the enrichment assets' automation conditions.

The promotion, the enqueuers, the rollup and the upgrade run on their ON2 cron, the image worker
every 3 minutes and the fusion worker every 10 (Asia/Seoul). STOPPED by default, like every IS
sensor; turn it on in the UI (Automation) with the other IS sensors.
"""

import dagster as dg

from dag_is.defs.jobs import IS_ENRICHMENT_ASSETS

is_enrichment_automation_sensor = dg.AutomationConditionSensorDefinition(
    "is_enrichment_automation_sensor",
    target=dg.AssetSelection.assets(*IS_ENRICHMENT_ASSETS),
    default_status=dg.DefaultSensorStatus.STOPPED,
    description="IS 보강(P0 승격, 작업 등록, VLM, 롤업, 이미지 승격, LLM 분류)의 Asia/Seoul 크론 자동화 조건을 평가합니다.",
)
