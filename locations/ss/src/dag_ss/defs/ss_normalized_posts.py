"""Silver asset `ss_normalized_posts`: post text with the author's comments and rule-derived fields."""

import dagster as dg
from dag_shared.resources.postgres import PostgresResource

from dag_ss.defs.common import SCHEMAS, json_metadata, partition_metadata, tags
from dag_ss.defs.partitions import SS_CRAWL_FILES
from dag_ss.defs.resources import SsSettingsResource


@dg.asset(
    group_name="SS",
    partitions_def=SS_CRAWL_FILES,
    retry_policy=dg.RetryPolicy(max_retries=2, delay=10),
    deps=["ss_raw_posts"],
    kinds={"python", "postgres"},
    tags=tags("silver", pii=True),
    metadata={"dagster/column_schema": SCHEMAS["normalized_posts"], "table_name": "normalized_posts"},
    description="글 본문 + 글쓴이 댓글로 텍스트를 만들고 채널·지역·번호이동·약정·결제·의도·딜 점수를 계산 "
    "(댓글 없는 글도 제목과 본문으로 처리).",
)
def ss_normalized_posts(
    context: dg.AssetExecutionContext, ss_postgres: PostgresResource, ss_settings: SsSettingsResource
) -> dg.MaterializeResult:
    from dag_ss.lib.pipeline import normalize
    from dag_ss.lib.schema import ensure_schema

    key = context.partition_key
    thresholds = ss_settings.thresholds()
    with ss_postgres.transaction() as conn:
        ensure_schema(conn)
        stats = normalize(conn, key, thresholds.advertorial_high)
    with ss_postgres.connection() as conn:
        metadata = partition_metadata(conn, "normalized_posts", key)
    return dg.MaterializeResult(metadata={**metadata, **json_metadata(stats), "partition": key})
