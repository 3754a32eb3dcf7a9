"""Gold asset `ss_deals_upsert`: gated rows become `deals` (upsert on deal_hash) or quarantine."""

import dagster as dg
from dag_shared.resources.postgres import PostgresResource

from dag_ss.defs.common import SCHEMAS, json_metadata, tags
from dag_ss.defs.partitions import SS_CRAWL_FILES

CHECK = "ss_deals_quarantine_counted"


@dg.asset(
    group_name="SS",
    partitions_def=SS_CRAWL_FILES,
    retry_policy=dg.RetryPolicy(max_retries=2, delay=10),
    deps=["ss_extracted_llm"],
    kinds={"python", "postgres"},
    tags=tags("gold"),
    metadata={"dagster/column_schema": SCHEMAS["deals"], "table_name": "deals"},
    check_specs=[
        dg.AssetCheckSpec(
            CHECK,
            asset="ss_deals_upsert",
            description="Every prefiltered row of the crawl file is either a deal or in deal_quarantine with a reason.",
        )
    ],
    description="게이트(통신사·비딜·광고성·모델 미상·가격 없음·LLM 실패)로 정상/격리를 나누고 deal_hash, "
    "tco_total, tco_net을 계산해 deals에 deal_hash 기준 일괄 upsert. 격리 행은 deal_quarantine에 사유와 함께.",
)
def ss_deals_upsert(context: dg.AssetExecutionContext, ss_postgres: PostgresResource):
    from dag_shared.metadata import postgres_query_metadata

    from dag_ss.lib.pipeline import upsert_deals
    from dag_ss.lib.schema import ensure_schema

    key = context.partition_key
    with ss_postgres.transaction() as conn:
        ensure_schema(conn)
        stats = upsert_deals(conn, key)
    with ss_postgres.connection() as conn:
        metadata = postgres_query_metadata(
            conn,
            "SELECT d.* FROM deals d WHERE EXISTS (SELECT 1 FROM extracted_llm e WHERE e.crawl_file = %s "
            "AND e.post_id = d.post_id) ORDER BY d.id",
            (key,),
        )
    yield dg.MaterializeResult(metadata={**metadata, **json_metadata(stats), "partition": key})
    accounted = stats["passed"] + stats["quarantined"] == stats["candidates"]
    yield dg.AssetCheckResult(
        check_name=CHECK,
        passed=accounted,
        metadata={
            "candidates": stats["candidates"],
            "passed": stats["passed"],
            "quarantined": stats["quarantined"],
            "quarantine_reasons": dg.MetadataValue.json(stats["quarantine_reasons"]),
        },
    )
