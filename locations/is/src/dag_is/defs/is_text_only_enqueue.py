"""Silver asset `is_text_only_enqueue` (legacy `text_only_enqueue_asset`, spec A2 #16, A8.1).

Queues a fusion job for every live post with a `text_rev` and no image result whose current
text-only rev_key has no job yet, newest posts first (legacy defect A11-14). ETA policy: the image
queue's ETA is its due jobs over the images enriched per minute in the last `eta_window_minutes`;
when it is at most `hold_max_minutes`, jobs of posts with images wait that long for the image
result (the upgrade then replaces them by the image job); otherwise every job is due now.
"""

import dagster as dg

from dag_is.defs.enrichment_resources import EnrichmentSettings
from dag_is.defs.enrichment_support import fusion_jobs_asset


@fusion_jobs_asset(
    name="is_text_only_enqueue",
    deps=["is_posts"],
    description="이미지 결과가 없는 게시글의 텍스트 전용 LLM 작업을 최신 글부터 등록합니다 (VLM ETA 가 짧으면 이미지 글은 보류).",
)
def is_text_only_enqueue(
    context: dg.AssetExecutionContext, conn, settings: EnrichmentSettings, method: str
) -> tuple[int, dict]:
    from dag_is.lib.enrich_enqueue import enqueue_text_only, vlm_eta

    eta = vlm_eta(conn, settings.eta_window_minutes, settings.hold_max_minutes)
    immediate, held = enqueue_text_only(
        conn,
        settings.prompt_ver,
        method,
        settings.text_only_limit,
        settings.text_only_priority,
        settings.hold_max_minutes,
        eta.hold,
    )
    context.log.info(f"text-only jobs: {immediate} due now, {held} held; VLM ETA {eta.eta_minutes:.1f} min")
    return immediate + held, {
        "eta_vlm_min": round(min(eta.eta_minutes, 1e9), 2),
        "vlm_queued_due": eta.queued_due,
        "vlm_images_per_min": round(eta.images_per_minute, 3),
        "queued_immediate": immediate,
        "queued_hold": held,
        "hold_minutes": settings.hold_max_minutes if eta.hold else 0,
        "limit": settings.text_only_limit,
        "priority": settings.text_only_priority,
        "prompt_ver": settings.prompt_ver,
        "method": method,
    }
