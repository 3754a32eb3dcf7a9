"""Gold asset `ss_bootstrap_dictionary_schema`: the `carriers` and `phone_models` tables, if missing."""

import dagster as dg
from dag_shared.resources.postgres import PostgresResource

from dag_ss.defs.common import SCHEMAS, tags


@dg.asset(
    group_name="SS_Dictionary",
    kinds={"python", "postgres"},
    tags=tags("gold"),
    metadata={"dagster/column_schema": SCHEMAS["dictionary"]},
    description="사전 테이블 carriers, phone_models와 GIN 인덱스를 CREATE … IF NOT EXISTS로 생성 (삭제 없음).",
)
def ss_bootstrap_dictionary_schema(ss_postgres: PostgresResource) -> dg.MaterializeResult:
    from dag_shared.metadata import postgres_query_metadata

    from dag_ss.lib.dictionary import ensure_dictionary_schema

    with ss_postgres.transaction() as conn:
        ensure_dictionary_schema(conn)
    with ss_postgres.connection() as conn:
        metadata = postgres_query_metadata(
            conn,
            "SELECT * FROM (SELECT * FROM carriers UNION ALL SELECT * FROM phone_models) d ORDER BY name",
        )
    return dg.MaterializeResult(metadata=metadata)
