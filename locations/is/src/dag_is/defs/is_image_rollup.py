"""Gold asset `is_image_rollup` (legacy `image_rollup_asset`, spec A2 #17, A8.3 rollup).

Rolls the per-image results up into `post_enrichment` (`image_summary`, `image_keywords`,
`image_ocr`, `image_safety`, `image_objects`, `image_colors`) and sets `image_rev`, with the one
rollup definition of `dag_is.lib.enrich_rollup`. It takes the posts whose image rows are newer
than their last rollup: the posts the image worker reported as changed, and any a failed run left.
"""

import dagster as dg
from dag_shared.resources.postgres import PostgresResource

from dag_is.defs.enrichment_resources import IsEnrichmentResource
from dag_is.defs.enrichment_support import KINDS, ON2, RETRY, enrichment_tags, ensure_tables, table_metadata


@dg.asset(
    name="is_image_rollup",
    group_name="IS",
    deps=["is_vlm_worker"],
    kinds=KINDS,
    tags=enrichment_tags("gold", "post_enrichment"),
    metadata=table_metadata("post_enrichment"),
    automation_condition=ON2,
    retry_policy=RETRY,
    description="이미지별 VLM/로컬 결과를 게시글 단위로 모아 post_enrichment 의 이미지 필드와 image_rev 를 갱신합니다.",
)
def is_image_rollup(
    context: dg.AssetExecutionContext, is_postgres: PostgresResource, is_enrichment: IsEnrichmentResource
) -> dg.MaterializeResult:
    from dag_shared.metadata import postgres_query_metadata

    from dag_is.lib.enrich_rollup import roll_up, stale_posts

    settings = is_enrichment.settings()
    ensure_tables(is_postgres)
    with is_postgres.transaction() as conn:
        post_ids = stale_posts(conn, settings.rollup_limit)
        changed = roll_up(conn, post_ids)
        metadata = postgres_query_metadata(
            conn,
            "SELECT post_id, image_rev, left(image_summary, 80) AS image_summary, left(image_ocr, 80) AS image_ocr, "
            "image_colors, enriched_at FROM post_enrichment WHERE image_rev IS NOT NULL ORDER BY enriched_at, post_id",
        )
    metadata.update(
        {
            "rows_written": len(post_ids),
            "rolled_up": len(post_ids),
            "image_rev_changed": len(changed),
            "changed_post_ids": dg.MetadataValue.json(changed[:50]),
        }
    )
    context.log.info(f"rolled up {len(post_ids)} posts, image_rev changed for {len(changed)}")
    return dg.MaterializeResult(metadata=metadata)
