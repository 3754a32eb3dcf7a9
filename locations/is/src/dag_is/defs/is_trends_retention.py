"""Gold asset `is_trends_retention`: deletes trend rows past the retention (legacy defect A11-27).

`post_trends`, `keyword_trends` and `cluster_trends` rows whose window ended more than
`retention_days` days ago (run config, default 14; at least 8, since the 1w ranges and the rotation
read a week). Runs daily at 03:40 Asia/Seoul.
"""

import dagster as dg
from dag_shared.resources.postgres import PostgresResource
from pydantic import Field

from dag_is.defs.gold_cadence import CRON_DAILY_RETENTION, TIMEZONE
from dag_is.defs.gold_support import gold_table_asset, gold_transaction, table_metadata, utc_now

MIN_DAYS = 8


class TrendsRetentionConfig(dg.Config):
    retention_days: int = Field(default=14, description=f"Days of trend rows kept (at least {MIN_DAYS}).")


@gold_table_asset(
    name="is_trends_retention",
    table="post_trends",
    deps=["is_post_trends", "is_keyword_trends", "is_cluster_trends"],
    automation_condition=dg.AutomationCondition.on_cron(CRON_DAILY_RETENTION, TIMEZONE),
    description="보존 기간(기본 14일)이 지난 post_trends, keyword_trends, cluster_trends 행을 삭제합니다 (매일 03:40).",
)
def is_trends_retention(
    context: dg.AssetExecutionContext, config: TrendsRetentionConfig, is_postgres: PostgresResource
) -> dg.MaterializeResult:
    from dag_is.lib.trends import delete_old_trends

    if config.retention_days < MIN_DAYS:
        raise dg.Failure(
            f"retention_days={config.retention_days}: at least {MIN_DAYS} days are needed by the 1w ranges",
            allow_retries=False,
        )
    with gold_transaction(is_postgres) as conn:
        deleted = delete_old_trends(conn, utc_now(), config.retention_days)
        metadata = table_metadata(
            conn,
            "SELECT post_id, window_start, window_end, hot_score FROM post_trends ORDER BY window_end, post_id",
            deleted=deleted,
            rows_deleted=sum(deleted.values()),
            retention_days=config.retention_days,
        )
    context.log.info(f"deleted {deleted}")
    return dg.MaterializeResult(metadata=metadata)
