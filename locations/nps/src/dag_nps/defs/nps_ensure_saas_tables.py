"""Gold asset `nps_ensure_saas_tables` (group NPS_SaaS): the KYC company layer's DDL, applied idempotently.

Creates the ten SaaS tables, their indexes, the review trigger and the control row
(`dag_nps.lib.saas_ddl`) after the pension indexes and name functions exist.
"""

import dagster as dg
from dag_shared.resources.postgres import PostgresResource

SAAS_TAGS = {"data_tier": "gold", "domain": "pension", "source": "national_pension"}
TABLES_SCHEMA = dg.TableSchema(
    columns=[dg.TableColumn("table_name", "text"), dg.TableColumn("rows", "bigint")]
)


@dg.asset(
    group_name="NPS_SaaS",
    deps=["nps_pension_staging_indexes"],
    kinds={"sql", "postgres"},
    tags=SAAS_TAGS,
    metadata={"dagster/column_schema": TABLES_SCHEMA},
    description="SaaS/KYC 계층 테이블·인덱스·검토 트리거를 멱등 DDL로 생성.",
)
def nps_ensure_saas_tables(
    context: dg.AssetExecutionContext, nps_postgres: PostgresResource
) -> dg.MaterializeResult:
    """Create the ten SaaS tables, their indexes, the review trigger and the control row."""
    from dag_shared.metadata import postgres_query_metadata

    from dag_nps.lib.saas_ddl import SAAS_TABLES, ensure_saas_tables

    with nps_postgres.transaction() as conn:
        actions = ensure_saas_tables(conn)
    counts = " UNION ALL ".join(
        f"SELECT '{name}' AS table_name, count(*) AS rows FROM public.{name}" for name in SAAS_TABLES
    )
    with nps_postgres.connection() as conn:
        table_metadata = postgres_query_metadata(conn, f"SELECT * FROM ({counts}) t ORDER BY table_name")
    return dg.MaterializeResult(metadata={**table_metadata, "actions": actions})
