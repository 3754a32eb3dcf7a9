"""Gold asset `is_fusion_worker` (legacy `fusion_worker_asset`, spec A2 #23, A8.2): the fusion queue's worker.

Claims up to `fusion_batch` due jobs (P0 first) and writes each post's categories (1–2 of the 14)
and keywords (3–8) into `post_enrichment` with `fused_model` (the model's name, or `local`),
`fused_version` = `fusion:<FUSION_PROMPT_VER>` and `fuse_rev` = the job's rev_key. The text model
(LLM_BASE_URL/LLM_MODEL) answers in a strict JSON schema, validated before the write; without an
endpoint the local method (Kiwi nouns by TF-IDF, the category lexicon) runs instead. A bad answer
marks its job `error` with the reason and the batch goes on; an endpoint outage releases the
unfinished jobs and fails the step for the retry policy.
"""

import dagster as dg
from dag_shared.resources.llm import OptionalChatModelResource
from dag_shared.resources.postgres import PostgresResource

from dag_is.defs.enrichment_resources import IsEnrichmentResource
from dag_is.defs.enrichment_support import (
    EVERY10,
    KINDS,
    RETRY,
    enrichment_tags,
    ensure_tables,
    table_metadata,
    text_method,
    worker_id,
    worker_metadata,
)


@dg.asset(
    name="is_fusion_worker",
    group_name="IS",
    deps=["is_text_only_enqueue", "is_upgrade_to_image_llm"],
    kinds=KINDS,
    tags={**enrichment_tags("gold", "post_enrichment"), "llm": "fusion_final"},
    metadata=table_metadata("post_enrichment"),
    automation_condition=EVERY10,
    retry_policy=RETRY,
    description="fusion_jobs 를 처리해 게시글 카테고리(최대 2개)와 키워드(3~8개)를 post_enrichment 에 기록합니다. "
    "LLM 엔드포인트가 없으면 Kiwi 형태소 분석 TF-IDF 키워드와 키워드 사전 카테고리(로컬)를 씁니다.",
)
def is_fusion_worker(
    context: dg.AssetExecutionContext,
    is_postgres: PostgresResource,
    is_enrichment: IsEnrichmentResource,
    is_llm: OptionalChatModelResource,
) -> dg.MaterializeResult:
    from dag_is.lib.enrich_fusion import run_fusion_batch

    settings = is_enrichment.settings()
    ensure_tables(is_postgres)
    method = text_method(is_postgres, is_llm, settings)
    try:
        report = run_fusion_batch(
            is_postgres,
            method,
            settings.prompt_ver,
            worker_id(context, "fusion"),
            settings.fusion_batch,
            settings.lease_seconds,
            settings.retry_delay_seconds,
        )
    finally:
        client = getattr(method, "client", None)
        if client is not None:
            client.close()
    metadata = worker_metadata(
        is_postgres,
        report,
        "SELECT post_id, fused_categories, fused_keywords, fused_model, fused_version, fuse_rev, fused_at "
        "FROM post_enrichment WHERE fused_at IS NOT NULL ORDER BY fused_at, post_id",
        method.name,
        prompt_ver=settings.prompt_ver,
        canceled=report.canceled,
        fusion_resp_previews=report.previews,
    )
    for failure in report.failed:
        context.log.warning(f"fusion job of post {failure['post_id']}: {failure['reason']}")
    return dg.MaterializeResult(metadata=metadata)
