"""Silver asset `is_upgrade_to_image_llm` (legacy `upgrade_to_image_llm_asset`, spec A2 #18).

For live posts whose images have been rolled up (`image_rev` set) and whose image rev_key is
neither their `fuse_rev` nor queued yet, never-fused posts first: cancels the queued text-only job
(`last_error` gains `superseded_by_image`) and queues the image job at P0. This is the last link of
the image → text path that was dead in the legacy system (defect A11-11).
"""

import dagster as dg

from dag_is.defs.enrichment_resources import EnrichmentSettings
from dag_is.defs.enrichment_support import fusion_jobs_asset


@fusion_jobs_asset(
    name="is_upgrade_to_image_llm",
    deps=["is_image_rollup"],
    description="이미지 요약이 생긴 게시글의 텍스트 전용 작업을 취소하고 이미지 포함 LLM 작업(P0)을 등록합니다.",
)
def is_upgrade_to_image_llm(
    context: dg.AssetExecutionContext, conn, settings: EnrichmentSettings, method: str
) -> tuple[int, dict]:
    from dag_is.lib.enrich_enqueue import upgrade_to_image

    queued, canceled = upgrade_to_image(
        conn, settings.prompt_ver, method, settings.upgrade_limit, settings.upgrade_priority
    )
    context.log.info(f"{queued} image fusion jobs queued, {canceled} text-only jobs canceled")
    return queued + canceled, {"image_jobs_queued": queued, "text_only_canceled": canceled}
