"""Gold asset `ss_bootstrap_schema`: every SS table, index and JSON view, created if missing.

Never drops anything (the legacy bootstrap dropped `deals` and the views with CASCADE). The
pipeline steps run the same idempotent DDL, so this asset is for setting up a new warehouse.
"""

import dagster as dg
from dag_shared.resources.postgres import PostgresResource

from dag_ss.defs.common import tags

_OBJECTS = dg.TableSchema(columns=[dg.TableColumn("object", "text"), dg.TableColumn("kind", "text")])


@dg.asset(
    group_name="SS",
    kinds={"python", "postgres"},
    tags=tags("gold"),
    metadata={"dagster/column_schema": _OBJECTS},
    description="SS 웨어하우스의 테이블(deals, aggregates_daily, 단계별 스테이징)·인덱스·JSON 뷰를 "
    "CREATE … IF NOT EXISTS / CREATE OR REPLACE VIEW로 생성. 데이터는 절대 지우지 않음.",
)
def ss_bootstrap_schema(ss_postgres: PostgresResource) -> dg.MaterializeResult:
    from dag_shared.metadata import postgres_query_metadata

    from dag_ss.lib.schema import SERVED_TABLES, STAGING_TABLES, VIEWS, ensure_schema

    with ss_postgres.transaction() as conn:
        ensure_schema(conn)
    names = [*STAGING_TABLES, *SERVED_TABLES, *VIEWS]
    with ss_postgres.connection() as conn:
        metadata = postgres_query_metadata(
            conn,
            "SELECT c.relname AS object, CASE c.relkind WHEN 'v' THEN 'view' ELSE 'table' END AS kind "
            "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND c.relname = ANY(%s) ORDER BY 1",
            (names,),
        )
    return dg.MaterializeResult(metadata=metadata)
