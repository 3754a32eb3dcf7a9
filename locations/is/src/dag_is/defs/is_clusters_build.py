"""Gold asset `is_clusters_build` (legacy `clusters_build_asset`): near-duplicate clusters of 72 h.

SimHash chunks and MinHash LSH (32 bands × 4 rows) give candidates, the A9.1 thresholds confirm
them (`text`, `both`, `embed`), union-find forms clusters; one current cluster per post, stale
memberships removed, empty or short texts kept out of text matching, bucket sizes capped
(`dag_is.lib.clustering`, `dag_is.lib.cluster_build`).
"""

import dagster as dg
from dag_shared.resources.postgres import PostgresResource

from dag_is.defs.gold_cadence import ON30
from dag_is.defs.gold_support import (
    CLUSTERS_PREVIEW,
    GoldClock,
    gold_table_asset,
    gold_transaction,
    table_metadata,
)


@gold_table_asset(
    name="is_clusters_build",
    table="clusters",
    deps=["is_post_signatures", "is_post_trends"],
    automation_condition=ON30,
    description="최근 72시간 게시글의 유사 중복 클러스터 (SimHash 청크 + MinHash LSH 32×4, 임계값 확인, "
    "union-find). 글마다 현재 클러스터 하나, 짧은 본문은 텍스트 매칭 제외.",
)
def is_clusters_build(
    context: dg.AssetExecutionContext, config: GoldClock, is_postgres: PostgresResource
) -> dg.MaterializeResult:
    from dag_is.lib.cluster_build import build_clusters

    with gold_transaction(is_postgres) as conn:
        report, stats = build_clusters(conn, config.now())
        metadata = table_metadata(
            conn,
            CLUSTERS_PREVIEW,
            clusters_upserted=report.clusters_upserted,
            clusters_created=report.clusters_created,
            clusters_deleted=report.clusters_deleted,
            cluster_posts_upserted=report.memberships_written,
            cluster_posts_removed=report.memberships_removed,
            build_metrics=stats,
        )
    context.log.info(f"clusters: {stats}; {report}")
    return dg.MaterializeResult(metadata=metadata)
