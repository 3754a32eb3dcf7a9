"""Group NPS_SaaS: the KYC company layer over `pension` (DDL, incremental ETL, full rebuild)."""


import dagster as dg
from dag_shared.resources.postgres import PostgresResource

SAAS_TAGS = {"data_tier": "gold", "domain": "pension", "source": "national_pension"}
FACT_SCHEMA = dg.TableSchema(
    columns=[
        dg.TableColumn("company_id", "BIGINT"), dg.TableColumn("ym", "DATE"),
        dg.TableColumn("subscriber_count", "INTEGER"), dg.TableColumn("monthly_notice_amount", "BIGINT"),
        dg.TableColumn("new_subscribers", "INTEGER"), dg.TableColumn("lost_subscribers", "INTEGER"),
    ]
)
TABLES_SCHEMA = dg.TableSchema(columns=[dg.TableColumn("table_name", "text"), dg.TableColumn("rows", "bigint")])
FACT_PREVIEW = "SELECT * FROM public.fact_pension_monthly ORDER BY ym, company_id"


def run_incremental(conn_factory, run_uuid: str, log=lambda message: None):
    """Process months from etl_control.last_ym − buffer (all months on the first run)."""
    from dag_nps.nps_saas_ddl import PIPELINE_NAME
    from dag_nps.nps_saas_matching import (
        PROCESS_MONTH_BUFFER,
        pension_months,
    )

    with conn_factory() as conn:
        last = conn.execute("SELECT last_ym FROM public.etl_control WHERE pipeline_name = %s", (PIPELINE_NAME,)).fetchone()
        since = None
        if last and last[0] is not None:
            since = conn.execute(
                "SELECT (%s::date - make_interval(months => %s))::date", (last[0], PROCESS_MONTH_BUFFER)
            ).fetchone()[0]
        months = pension_months(conn, since)
    return _process(conn_factory, months, run_uuid, PIPELINE_NAME, "pension_raw", log, update_control=True)


def run_full_rebuild(conn_factory, run_uuid: str, log=lambda message: None):
    """Empty the layer, then run the same matching over every month (one transaction per month)."""
    from dag_nps.nps_saas_ddl import REBUILD_PIPELINE_NAME
    from dag_nps.nps_saas_matching import pension_months

    with conn_factory() as conn, conn.transaction():
        conn.execute(
            "TRUNCATE public.fact_pension_monthly_rollup, public.fact_pension_lineage, public.fact_pension_monthly, "
            "public.match_review_queue, public.match_audit_log, public.company_rollup, public.company_alias, "
            "public.dim_company RESTART IDENTITY"
        )
        months = pension_months(conn)
    return _process(conn_factory, months, run_uuid, REBUILD_PIPELINE_NAME, "full_rebuild", log, update_control=False)


def _process(conn_factory, months, run_uuid, pipeline, source, log, update_control):
    from dag_nps.nps_saas_matching import MonthCounts, match_month, refresh_companies

    totals = MonthCounts()
    if months:
        with conn_factory() as conn, conn.transaction():
            refresh_companies(conn, months)
    for month in months:
        with conn_factory() as conn, conn.transaction():
            counts = match_month(conn, month, run_uuid, source)
        log(f"{month:%Y-%m}: {counts}")
        totals.add(counts)
    with conn_factory() as conn, conn.transaction():
        if update_control and months:
            conn.execute(
                "UPDATE public.etl_control SET last_ym = date_trunc('month', %s::timestamp)::date, updated_at = now() "
                "WHERE pipeline_name = %s",
                (months[-1], pipeline),
            )
        conn.execute(
            "INSERT INTO public.etl_run_log (pipeline_name, total_rows, accepted_rows, review_rows, reject_rows, "
            "unmatched_rows, notes, run_uuid) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
            (pipeline, totals.total, totals.accepted, totals.review, totals.reject, totals.unmatched,
             f"months: {', '.join(f'{m:%Y-%m}' for m in months)}", run_uuid),
        )
        conn.execute(
            "DELETE FROM public.etl_run_log WHERE pipeline_name = %s AND run_started_at < ("
            "SELECT min(run_started_at) FROM (SELECT run_started_at FROM public.etl_run_log WHERE pipeline_name = %s "
            "ORDER BY run_started_at DESC LIMIT 100) recent)",
            (pipeline, pipeline),
        )
    return months, totals


@dg.asset(
    group_name="NPS_SaaS",
    deps=["nps_pension_staging_indexes"],
    kinds={"sql", "postgres"},
    tags=SAAS_TAGS,
    metadata={"dagster/column_schema": TABLES_SCHEMA},
    description="SaaS/KYC 계층 테이블·인덱스·검토 트리거를 멱등 DDL로 생성.",
)
def nps_ensure_saas_tables(context: dg.AssetExecutionContext, nps_postgres: PostgresResource) -> dg.MaterializeResult:
    """Create the ten SaaS tables, their indexes, the review trigger and the control row."""
    from dag_shared.metadata import postgres_query_metadata

    from dag_nps.nps_saas_ddl import SAAS_TABLES, ensure_saas_tables

    with nps_postgres.transaction() as conn:
        actions = ensure_saas_tables(conn)
    counts = " UNION ALL ".join(f"SELECT '{name}' AS table_name, count(*) AS rows FROM public.{name}" for name in SAAS_TABLES)
    with nps_postgres.connection() as conn:
        table_metadata = postgres_query_metadata(conn, f"SELECT * FROM ({counts}) t ORDER BY table_name")
    return dg.MaterializeResult(metadata={**table_metadata, "actions": actions})


def _result(nps_postgres: PostgresResource, run_uuid: str, months, totals) -> dg.MaterializeResult:
    from dag_shared.metadata import postgres_query_metadata

    with nps_postgres.connection() as conn:
        table_metadata = postgres_query_metadata(conn, FACT_PREVIEW)
    return dg.MaterializeResult(
        metadata={
            **table_metadata,
            "run_uuid": run_uuid,
            "months": [f"{m:%Y-%m}" for m in months],
            "total_rows": totals.total,
            "accepted_rows": totals.accepted,
            "review_rows": totals.review,
            "reject_rows": totals.reject,
            "unmatched_rows": totals.unmatched,
        }
    )


# Both matching paths fill the same fact table from the same rules; only the months differ.
_FACT_ASSET = {
    "group_name": "NPS_SaaS",
    "deps": ["nps_ensure_saas_tables"],
    "kinds": {"sql", "postgres"},
    "tags": SAAS_TAGS,
    "metadata": {"dagster/column_schema": FACT_SCHEMA, "table_name": "public.fact_pension_monthly"},
}


def _run_matching(context: dg.AssetExecutionContext, nps_postgres: PostgresResource, runner) -> dg.MaterializeResult:
    import uuid

    run_uuid = str(uuid.uuid4())
    months, totals = runner(nps_postgres.connection, run_uuid, context.log.info)
    return _result(nps_postgres, run_uuid, months, totals)


@dg.asset(
    **_FACT_ASSET,
    description="최근 월(마지막 처리 월 − 1개월부터)을 회사 차원에 매칭해 월별 팩트·별칭·롤업·계보를 갱신.",
)
def nps_saas_etl_run(context: dg.AssetExecutionContext, nps_postgres: PostgresResource) -> dg.MaterializeResult:
    """Incremental matching ETL: new months since etl_control.last_ym (minus one month)."""
    return _run_matching(context, nps_postgres, run_incremental)


@dg.asset(
    **_FACT_ASSET,
    description="SaaS 계층을 비우고 pension 전체에서 증분 ETL과 같은 규칙으로 월별 재구축.",
)
def nps_full_rebuild_from_pension(context: dg.AssetExecutionContext, nps_postgres: PostgresResource) -> dg.MaterializeResult:
    """Full rebuild: truncate the layer and replay the matching over every month."""
    return _run_matching(context, nps_postgres, run_full_rebuild)
