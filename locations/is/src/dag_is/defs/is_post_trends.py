"""Gold asset `is_post_trends` (legacy `post_trends_asset`): per-post deltas over 30-minute windows.

Window (bucket_end − 30 min, bucket_end] at 10-minute buckets, `hot_score = Δview + 3·Δcomment +
2·Δlike`, zero deltas for a post with one snapshot in the window (spec A9.4; `dag_is.lib.trends`).
Missed buckets of the last day are caught up; re-running writes nothing new.
"""

import dagster as dg
from dag_shared.resources.postgres import PostgresResource

from dag_is.defs.gold_cadence import ON10
from dag_is.defs.gold_support import GoldClock, gold_table_asset, gold_transaction, table_metadata


@gold_table_asset(
    name="is_post_trends",
    table="post_trends",
    deps=["is_post_snapshots"],
    automation_condition=ON10,
    description="게시글별 30분 창 (bucket_end − 30분, bucket_end] 조회·댓글·추천 증가량과 hot_score "
    "(Δ조회 + 3·Δ댓글 + 2·Δ추천), 10분 버킷. 스냅샷이 하나뿐인 글은 증가량 0.",
)
def is_post_trends(
    context: dg.AssetExecutionContext, config: GoldClock, is_postgres: PostgresResource
) -> dg.MaterializeResult:
    from dag_is.lib.trends import compute_post_trends

    with gold_transaction(is_postgres) as conn:
        ends, written = compute_post_trends(conn, config.now())
        metadata = table_metadata(
            conn,
            "SELECT post_id, window_start, window_end, view_delta, comment_delta, like_delta, dislike_delta, "
            "hot_score FROM post_trends WHERE window_end = %(end)s ORDER BY hot_score DESC, post_id",
            {"end": ends[-1]},
            rows_written=written,
            buckets=len(ends),
            bucket_end=dg.MetadataValue.text(ends[-1].isoformat()),
        )
    context.log.info(f"{len(ends)} bucket(s) up to {ends[-1].isoformat()}: {written} rows written or changed")
    return dg.MaterializeResult(metadata=metadata)
