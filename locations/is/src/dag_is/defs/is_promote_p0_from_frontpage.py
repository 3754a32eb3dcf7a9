"""Silver asset `is_promote_p0_from_frontpage` (legacy `promote_p0_from_frontpage_asset`, spec A2 #15).

Posts shown on the web front page in the last 20 minutes (`post_rotation`, written by the web
application) jump the queues: their queued or errored fusion and image jobs move to P0 and become
due now, posts without a job for their current rev_key get one at P0 (legacy defect A11-20: this
count was always 0), and the first and last image of each such post get an image job at P0.
"""

import dagster as dg

from dag_is.defs.enrichment_resources import EnrichmentSettings
from dag_is.defs.enrichment_support import fusion_jobs_asset


@fusion_jobs_asset(
    name="is_promote_p0_from_frontpage",
    tags={"table2": "media_enrichment_jobs"},
    description="프론트 페이지에 최근 20분 안에 노출된 게시글의 LLM·VLM 작업을 P0 로 올리고, 없는 작업은 P0 로 추가합니다.",
)
def is_promote_p0_from_frontpage(
    context: dg.AssetExecutionContext, conn, settings: EnrichmentSettings, method: str
) -> tuple[int, dict]:
    from dag_is.lib.enrich_enqueue import promote_front_page

    promotion = promote_front_page(conn, settings.prompt_ver, method, settings.front_page_minutes)
    context.log.info(f"front-page promotion: {promotion}")
    return sum(vars(promotion).values()), {
        "p0_text_upgraded": promotion.text_upgraded,
        "p0_text_inserted": promotion.text_inserted,
        "p0_media_upgraded": promotion.media_upgraded,
        "p0_media_inserted": promotion.media_inserted,
    }
