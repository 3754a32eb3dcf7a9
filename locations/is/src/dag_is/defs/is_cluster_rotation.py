"""Gold asset `is_cluster_rotation` (legacy `cluster_rotation_asset`): the clusters the front page shows.

Percentile of the newest cluster hot score, decay exp(−age/48 h), top 20 not suppressed,
consecutive hits (reset after 20 minutes), 24-hour cooldown after 3 hits; writes
`cluster_rotation` and the ranks of `cluster_trends` (spec A9.3, `dag_is.lib.rotation`). One
rotation per 10-minute bucket: a re-run in the same bucket changes nothing.
"""

import dagster as dg
from dag_shared.resources.postgres import PostgresResource

from dag_is.defs.gold_cadence import BLOCKS_OK, ON10
from dag_is.defs.gold_support import GoldClock, gold_table_asset, gold_transaction, table_metadata


@gold_table_asset(
    name="is_cluster_rotation",
    table="cluster_rotation",
    deps=["is_cluster_trends"],
    automation_condition=ON10 & BLOCKS_OK,
    description="프론트 페이지 클러스터 순환: 백분위 × 감쇠(τ=48h), 상위 20개, 연속 3회 노출 후 24시간 "
    "휴식. cluster_rotation 과 cluster_trends.rank 를 씁니다.",
)
def is_cluster_rotation(
    context: dg.AssetExecutionContext, config: GoldClock, is_postgres: PostgresResource
) -> dg.MaterializeResult:
    from dag_is.lib.rotation import WINDOW_LABEL, rotate

    with gold_transaction(is_postgres) as conn:
        report = rotate(conn, config.now())
        metadata = table_metadata(
            conn,
            "SELECT cluster_id, window_label, consecutive_hits, last_shown_at, suppressed_until, last_score "
            "FROM cluster_rotation WHERE last_shown_at = %(at)s ORDER BY last_score DESC, cluster_id",
            {"at": report.bucket_end},
            selected=len(report.picks),
            candidates=report.candidates,
            window_label=WINDOW_LABEL,
            rows_written=0 if report.already_done else len(report.picks),
            bucket_end=dg.MetadataValue.text(report.bucket_end.isoformat()),
        )
    if report.already_done:
        context.log.info(f"bucket {report.bucket_end.isoformat()} already rotated; nothing changed")
    return dg.MaterializeResult(metadata=metadata)
