"""Silver asset `is_promote_p0_from_frontpage` (legacy `promote_p0_from_frontpage_asset`, spec A2 #15).

Posts shown on the web front page in the last 20 minutes (`post_rotation`, written by the web
application) jump the queues: their queued or errored fusion and image jobs move to P0 and become
due now, posts without a job for their current rev_key get one at P0 (legacy defect A11-20: this
count was always 0), and the first and last image of each such post get an image job at P0.
"""

import dagster as dg
from dag_shared.resources.llm import OptionalChatModelResource
from dag_shared.resources.postgres import PostgresResource

from dag_is.defs.enrichment_resources import IsEnrichmentResource
from dag_is.defs.enrichment_support import (
    KINDS,
    ON2,
    RETRY,
    enrichment_tags,
    fusion_jobs_step,
    method_class,
    table_metadata,
)


@dg.asset(
    name="is_promote_p0_from_frontpage",
    group_name="IS",
    kinds=KINDS,
    tags={**enrichment_tags("silver", "fusion_jobs"), "table2": "media_enrichment_jobs"},
    metadata=table_metadata("fusion_jobs"),
    automation_condition=ON2,
    retry_policy=RETRY,
    description="프론트 페이지에 최근 20분 안에 노출된 게시글의 LLM·VLM 작업을 P0 로 올리고, 없는 작업은 P0 로 추가합니다.",
)
def is_promote_p0_from_frontpage(
    context: dg.AssetExecutionContext,
    is_postgres: PostgresResource,
    is_enrichment: IsEnrichmentResource,
    is_llm: OptionalChatModelResource,
) -> dg.MaterializeResult:
    from dag_is.lib.enrich_enqueue import promote_front_page

    settings = is_enrichment.settings()

    def promote(conn) -> tuple[int, dict]:
        promotion = promote_front_page(
            conn, settings.prompt_ver, method_class(is_llm), settings.front_page_minutes
        )
        context.log.info(f"front-page promotion: {promotion}")
        return sum(vars(promotion).values()), {
            "p0_text_upgraded": promotion.text_upgraded,
            "p0_text_inserted": promotion.text_inserted,
            "p0_media_upgraded": promotion.media_upgraded,
            "p0_media_inserted": promotion.media_inserted,
        }

    return dg.MaterializeResult(metadata=fusion_jobs_step(is_postgres, promote))
