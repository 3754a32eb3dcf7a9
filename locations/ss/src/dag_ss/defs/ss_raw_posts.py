"""Bronze asset `ss_raw_posts`: one crawl file's posts in the SS warehouse (`raw_posts`)."""

import dagster as dg
from dag_shared.resources.postgres import PostgresResource

from dag_ss.defs.common import SCHEMAS, json_metadata, partition_metadata, tags
from dag_ss.defs.partitions import SS_CRAWL_FILES
from dag_ss.defs.resources import SsSettingsResource


@dg.asset(
    group_name="SS",
    partitions_def=SS_CRAWL_FILES,
    retry_policy=dg.RetryPolicy(max_retries=2, delay=10),
    kinds={"python", "postgres"},
    tags=tags("bronze", pii=True),
    metadata={"dagster/column_schema": SCHEMAS["raw_posts"], "table_name": "raw_posts"},
    description="크롤 파일 하나(파티션)의 게시글을 raw_posts에 교체 적재. 잘못된 파일은 파일·위치를 밝혀 실패, "
    "post_id/url/제목 없는 글은 사유별로 집계.",
)
def ss_raw_posts(
    context: dg.AssetExecutionContext, ss_postgres: PostgresResource, ss_settings: SsSettingsResource
) -> dg.MaterializeResult:
    from dag_ss.lib.crawl_file import CrawlFileError
    from dag_ss.lib.pipeline import load_raw
    from dag_ss.lib.schema import ensure_schema

    key = context.partition_key
    path = ss_settings.crawl_folder() / f"{key}.json"
    if not path.is_file():
        raise dg.Failure(f"crawl file {path} of partition {key} does not exist", allow_retries=False)
    try:
        with ss_postgres.transaction() as conn:
            ensure_schema(conn)
            stats = load_raw(conn, key, path)
    except CrawlFileError as error:
        raise dg.Failure(str(error), allow_retries=False) from None
    with ss_postgres.connection() as conn:
        metadata = partition_metadata(conn, "raw_posts", key)
    return dg.MaterializeResult(
        metadata={**metadata, **json_metadata(stats), "partition": key, "file_path": str(path)}
    )
