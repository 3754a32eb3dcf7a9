"""Gold asset `is_vlm_worker` (legacy `vlm_worker_asset`, spec A2 #25, A8.3): the image queue's worker.

Claims up to `vlm_batch` image jobs (at most the first and last image of a post per claim, P0
first), describes each image with the vision model (VLM_BASE_URL/VLM_MODEL; the router picks the
OCR or the photo prompt) or, with no endpoint, locally (Tesseract OCR, dominant colours), and
writes `post_image_enrichment`. A bad answer or an unreadable image marks its job `error` with the
stage and reason; an endpoint outage releases the unfinished jobs and fails the step, which the
retry policy runs again. The metadata names the posts whose image rows changed.
"""

import dagster as dg
from dag_shared.resources.llm import OptionalChatModelResource
from dag_shared.resources.postgres import PostgresResource

from dag_is.defs.enrichment_resources import IsEnrichmentResource
from dag_is.defs.enrichment_support import (
    EVERY3,
    KINDS,
    RETRY,
    enrichment_tags,
    ensure_tables,
    table_metadata,
    worker_id,
    worker_metadata,
)


@dg.asset(
    name="is_vlm_worker",
    group_name="IS",
    deps=["is_post_images", "is_promote_p0_from_frontpage"],
    kinds=KINDS,
    tags={**enrichment_tags("gold", "post_image_enrichment"), "llm": "vlm"},
    metadata=table_metadata("post_image_enrichment"),
    automation_condition=EVERY3,
    retry_policy=RETRY,
    description="media_enrichment_jobs 를 처리해 이미지별 캡션·라벨·OCR·색상(post_image_enrichment)을 기록합니다. "
    "VLM 엔드포인트가 없으면 Tesseract OCR 과 대표 색상만 로컬로 계산합니다.",
)
def is_vlm_worker(
    context: dg.AssetExecutionContext,
    is_postgres: PostgresResource,
    is_enrichment: IsEnrichmentResource,
    is_vlm: OptionalChatModelResource,
) -> dg.MaterializeResult:
    from dag_is.lib.enrich_image_local import OcrUnavailable, tesseract_binary
    from dag_is.lib.enrich_media import run_media_batch

    settings = is_enrichment.settings()
    client = is_vlm.json_client()
    if client is None:
        try:
            tesseract_binary()
        except OcrUnavailable as error:
            raise dg.Failure(str(error), allow_retries=False) from None
    ensure_tables(is_postgres)
    try:
        report = run_media_batch(
            is_postgres,
            client,
            worker_id(context, "vlm"),
            settings.vlm_batch,
            settings.lease_seconds,
            settings.retry_delay_seconds,
        )
    except OcrUnavailable as error:
        raise dg.Failure(str(error), allow_retries=False) from None
    finally:
        if client is not None:
            client.close()
    metadata = worker_metadata(
        is_postgres,
        report,
        "SELECT post_id, url_hash, model, route, left(caption, 80) AS caption, ocr_lines, colors, enriched_at "
        "FROM post_image_enrichment ORDER BY enriched_at, post_id, url_hash",
        client.model if client is not None else "local",
        requeued_local=report.requeued_local,
        changed_post_ids=report.changed_post_ids[:50],
        vlm_resp_previews=report.previews,
    )
    for failure in report.failed:
        context.log.warning(f"image job {failure['post_id']}/{failure['url_hash']}: {failure['reason']}")
    return dg.MaterializeResult(metadata=metadata)
