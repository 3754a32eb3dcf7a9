"""Gold asset `is_clusters_merge` (legacy `clusters_merge_asset`): merges similar clusters.

Clusters updated within 14 days, candidates by LSH over their representatives, merged when at least
3 of the top members' best similarities reach 0.80 or the best three average 0.80; the survivor is
the larger cluster, then the older, decided on the loaded state and joined by union-find
(`dag_is.lib.cluster_merge`).
"""

import dagster as dg
from dag_shared.resources.postgres import PostgresResource

from dag_is.defs.gold_cadence import ON1H
from dag_is.defs.gold_support import (
    CLUSTERS_PREVIEW,
    GoldClock,
    gold_table_asset,
    gold_transaction,
    table_metadata,
)


@gold_table_asset(
    name="is_clusters_merge",
    table="clusters",
    deps=["is_clusters_build"],
    automation_condition=ON1H,
    description="14일 내 갱신된 클러스터 중 유사한 것을 병합합니다 (상위 8개 글 비교, 0.80 이상 3쌍 또는 "
    "상위 3개 평균 0.80). 큰 클러스터가, 같으면 오래된 클러스터가 남습니다.",
)
def is_clusters_merge(
    context: dg.AssetExecutionContext, config: GoldClock, is_postgres: PostgresResource
) -> dg.MaterializeResult:
    from dag_is.lib.cluster_merge import merge_clusters

    with gold_transaction(is_postgres) as conn:
        report = merge_clusters(conn, config.now())
        metadata = table_metadata(
            conn,
            CLUSTERS_PREVIEW,
            merged_clusters=report.merged_clusters,
            candidate_pairs=report.candidate_pairs,
            merged_pairs=report.merged_pairs,
            merge_rate=report.merge_rate,
        )
    context.log.info(
        f"{report.clusters} clusters, {report.candidate_pairs} candidate pairs, {report.merged_clusters} merged"
    )
    return dg.MaterializeResult(metadata=metadata)
