"""Gold asset `ss_aggregates_daily`: per-day price statistics per model and capacity, last 7 days."""

import dagster as dg
from dag_shared.resources.postgres import PostgresResource

from dag_ss.defs.common import SCHEMAS, tags
from dag_ss.defs.partitions import SS_CRAWL_FILES


@dg.asset(
    group_name="SS",
    partitions_def=SS_CRAWL_FILES,
    retry_policy=dg.RetryPolicy(max_retries=2, delay=10),
    deps=["ss_deals_upsert"],
    kinds={"python", "postgres"},
    tags=tags("gold"),
    metadata={"dagster/column_schema": SCHEMAS["aggregates_daily"], "table_name": "aggregates_daily"},
    description="deals의 tco_total로 모델·용량(GB/TB, 없으면 그 모델의 최소 용량)·게시일별 min/p25/median/p75/"
    "max/avg/n을 계산. 창은 크롤 날짜(KST)까지 7일(일별 통계, 롤링 아님); 처리한 크롤 파일을 crawl_files에 기록.",
)
def ss_aggregates_daily(
    context: dg.AssetExecutionContext, ss_postgres: PostgresResource
) -> dg.MaterializeResult:
    from datetime import date

    from dag_shared.metadata import postgres_query_metadata

    from dag_ss.lib.pipeline import aggregate
    from dag_ss.lib.schema import ensure_schema

    key = context.partition_key
    with ss_postgres.transaction() as conn:
        ensure_schema(conn)
        stats = aggregate(conn, key, date.today())
    with ss_postgres.connection() as conn:
        metadata = postgres_query_metadata(
            conn,
            "SELECT * FROM aggregates_daily WHERE ts BETWEEN %s::date - 6 AND %s::date ORDER BY model, capacity, ts",
            (stats["window_end"], stats["window_end"]),
        )
    return dg.MaterializeResult(metadata={**metadata, **stats, "partition": key})
