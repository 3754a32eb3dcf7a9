"""Gold asset `is_cluster_trends`: per cluster and 10-minute window, the sum of its members' hot scores.

The legacy rotation read `cluster_trends`, which nothing in the legacy package wrote (defect
A11-28); here the pipeline writes it from `post_trends` and the current cluster memberships, for
the windows of the last hour (`dag_is.lib.trends`). It waits for `is_post_trends` each tick; the
clusters change on slower cadences.
"""

import dagster as dg
from dag_shared.resources.postgres import PostgresResource

from dag_is.defs.gold_cadence import on10_waiting_only_for
from dag_is.defs.gold_support import GoldClock, gold_table_asset, gold_transaction, table_metadata


@gold_table_asset(
    name="is_cluster_trends",
    table="cluster_trends",
    deps=["is_post_trends", "is_clusters_build", "is_clusters_merge"],
    automation_condition=on10_waiting_only_for("is_post_trends"),
    description="클러스터별 10분 창 hot_score 합계 (현재 소속 글의 post_trends), 최근 1시간 창. "
    "cluster_rotation 의 입력.",
)
def is_cluster_trends(
    context: dg.AssetExecutionContext, config: GoldClock, is_postgres: PostgresResource
) -> dg.MaterializeResult:
    from dag_is.lib.trends import bucket_floor, compute_cluster_trends

    now = config.now()
    with gold_transaction(is_postgres) as conn:
        written = compute_cluster_trends(conn, now)
        metadata = table_metadata(
            conn,
            "SELECT cluster_id, window_start, window_end, hot_score, member_count, rank FROM cluster_trends "
            "WHERE window_end = (SELECT max(window_end) FROM cluster_trends WHERE window_end <= %(end)s) "
            "ORDER BY hot_score DESC, cluster_id",
            {"end": bucket_floor(now)},
            rows_written=written,
        )
    context.log.info(f"{written} cluster trend rows written or changed")
    return dg.MaterializeResult(metadata=metadata)
