"""Gold asset `is_keyword_trends` (legacy `keyword_trends_asset`): keyword counts per range.

For the ranges 3h, 6h, 24h and 1w ending at the 10-minute bucket, the number of live posts in the
range carrying each keyword of `post_enrichment.fused_keywords` (written by `is_fusion_worker`; no
keywords yet gives no rows). Each tick waits for new posts only: the worker runs on its own tick. Keywords gone from a range's bucket are removed; unchanged counts are
not rewritten (`dag_is.lib.trends`).
"""

import dagster as dg
from dag_shared.resources.postgres import PostgresResource

from dag_is.defs.gold_cadence import on10_waiting_only_for
from dag_is.defs.gold_support import GoldClock, gold_table_asset, gold_transaction, table_metadata


@gold_table_asset(
    name="is_keyword_trends",
    table="keyword_trends",
    deps=["is_posts", "is_fusion_worker"],
    automation_condition=on10_waiting_only_for("is_posts"),
    description="3h/6h/24h/1w 범위별 키워드 게시글 수 (post_enrichment.fused_keywords, 소문자·공백 제거), "
    "10분 버킷 끝 기준.",
)
def is_keyword_trends(
    context: dg.AssetExecutionContext, config: GoldClock, is_postgres: PostgresResource
) -> dg.MaterializeResult:
    from dag_is.lib.trends import compute_keyword_trends

    with gold_transaction(is_postgres) as conn:
        end, written, removed, total = compute_keyword_trends(conn, config.now())
        metadata = table_metadata(
            conn,
            "SELECT keyword, range_label, window_start, window_end, count FROM keyword_trends "
            "WHERE window_end = %(end)s ORDER BY range_label, count DESC, keyword",
            {"end": end},
            rows_written=written,
            rows_removed=removed,
            bucket_end=dg.MetadataValue.text(end.isoformat()),
        )
    context.log.info(f"bucket {end.isoformat()}: {total} keyword rows, {written} written, {removed} removed")
    return dg.MaterializeResult(metadata=metadata)
