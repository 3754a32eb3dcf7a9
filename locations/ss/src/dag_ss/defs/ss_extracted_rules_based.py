"""Silver asset `ss_extracted_rules_based`: dictionary prefilter, scenario split, rule deal rows."""

import dagster as dg
from dag_shared.resources.postgres import PostgresResource

from dag_ss.defs.common import SCHEMAS, json_metadata, partition_metadata, tags
from dag_ss.defs.partitions import SS_CRAWL_FILES
from dag_ss.defs.resources import SsSettingsResource


@dg.asset(
    group_name="SS",
    partitions_def=SS_CRAWL_FILES,
    retry_policy=dg.RetryPolicy(max_retries=2, delay=10),
    deps=["ss_normalized_posts", "ss_seed_dictionary_data"],
    kinds={"python", "postgres"},
    tags=tags("silver"),
    metadata={"dagster/column_schema": SCHEMAS["extracted_rules"], "table_name": "extracted_rules"},
    description="SS 사전(ss_postgres의 carriers/phone_models, 실행마다 새로 읽음)으로 통신사·모델을 토큰 경계에서 "
    "찾고, 시나리오별 딜 행과 가격 조건을 규칙으로 추출. 사전에 걸리지 않은 글은 사유와 함께 남김.",
)
def ss_extracted_rules_based(
    context: dg.AssetExecutionContext, ss_postgres: PostgresResource, ss_settings: SsSettingsResource
) -> dg.MaterializeResult:
    from dag_ss.lib.dictionary import DictionaryMissingError
    from dag_ss.lib.pipeline import extract_with_rules
    from dag_ss.lib.schema import ensure_schema

    key = context.partition_key
    thresholds = ss_settings.thresholds()
    try:
        with ss_postgres.transaction() as conn:
            ensure_schema(conn)
            stats = extract_with_rules(conn, key, thresholds)
    except DictionaryMissingError as error:
        raise dg.Failure(str(error), allow_retries=False) from None
    with ss_postgres.connection() as conn:
        metadata = partition_metadata(conn, "extracted_rules", key, "post_id, segment")
    return dg.MaterializeResult(metadata={**metadata, **json_metadata(stats), "partition": key})
