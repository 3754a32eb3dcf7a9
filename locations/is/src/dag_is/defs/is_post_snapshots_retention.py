"""Silver asset `is_post_snapshots_retention`: deletes post_snapshots rows older than the retention.

Snapshots are append-only (one row per post per crawl) and grew forever in the legacy system
(defect A11-27). The retention is IS_SNAPSHOT_RETENTION_DAYS (default 30 days), read when the run
starts; the trend windows need at most a week.
"""

import dagster as dg
from dag_shared.metadata import column_schema
from dag_shared.resources.postgres import PostgresResource

from dag_is.lib.tables import TABLE_COLUMNS

SNAPSHOT_SCHEMA = column_schema(
    [c for c, _ in TABLE_COLUMNS["post_snapshots"]], [t for _, t in TABLE_COLUMNS["post_snapshots"]]
)


@dg.asset(
    name="is_post_snapshots_retention",
    group_name="IS",
    deps=["is_post_snapshots"],
    kinds={"python", "postgres"},
    tags={"data_tier": "silver", "domain": "community", "source": "is_crawlers"},
    metadata={"dagster/column_schema": SNAPSHOT_SCHEMA, "table_name": "public.post_snapshots"},
    description="보존 기간(IS_SNAPSHOT_RETENTION_DAYS, 기본 30일)이 지난 post_snapshots 행을 삭제합니다.",
)
def is_post_snapshots_retention(
    context: dg.AssetExecutionContext, is_postgres: PostgresResource
) -> dg.MaterializeResult:
    from dag_shared.settings import ENVIRONMENT_VARIABLES, env

    from dag_is.lib.ddl import ensure_schema
    from dag_is.lib.retention import delete_old_snapshots

    default = next(v.default for v in ENVIRONMENT_VARIABLES if v.name == "IS_SNAPSHOT_RETENTION_DAYS")
    raw = env("IS_SNAPSHOT_RETENTION_DAYS") or default
    try:
        days = int(raw)
    except ValueError:
        raise dg.Failure(
            f"IS_SNAPSHOT_RETENTION_DAYS={raw!r} is not a whole number", allow_retries=False
        ) from None
    if days < 1:
        raise dg.Failure(f"IS_SNAPSHOT_RETENTION_DAYS={days} must be at least 1", allow_retries=False)
    from dag_shared.metadata import postgres_query_metadata

    with is_postgres.transaction() as conn:
        ensure_schema(conn)
        deleted, kept, oldest = delete_old_snapshots(conn, days)
        metadata = postgres_query_metadata(
            conn,
            'SELECT post_id, "timestamp", view_count, like_count, dislike_count, comment_count '
            'FROM post_snapshots ORDER BY "timestamp", post_id',
        )
    context.log.info(f"deleted {deleted} snapshots older than {days} days; {kept} kept")
    metadata.update(
        {
            "dagster/column_schema": SNAPSHOT_SCHEMA,
            "deleted": deleted,
            "retention_days": days,
            "oldest_kept": dg.MetadataValue.text(str(oldest) if oldest else "none"),
        }
    )
    return dg.MaterializeResult(metadata=metadata)
