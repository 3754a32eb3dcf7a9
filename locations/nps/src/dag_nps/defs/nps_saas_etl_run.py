"""Gold asset `nps_saas_etl_run` (group NPS_SaaS) and its checks on the KYC fact table.

The asset runs the incremental matching ETL (`dag_nps.lib.saas_etl.run_incremental`): the months
since `etl_control.last_ym` minus one are matched to the company dimension and their facts,
aliases, rollups and lineage replaced. `nps_full_rebuild_from_pension` runs the same matching over
every month and shares `FACT_ASSET` and `materialize_matching` from here. The checks: the latest
fact month is fresh, each raw row is counted once, and the last run accounted for every row.
"""

import dagster as dg
from dag_shared.resources.postgres import PostgresResource

from dag_nps.defs.monthly_freshness import monthly_freshness
from dag_nps.lib.saas_ddl import FACT_COLUMNS, FACT_TABLE

FACT_SCHEMA = dg.TableSchema(columns=[dg.TableColumn(name, kind) for name, kind, _ in FACT_COLUMNS])
FACT_PREVIEW = f"SELECT * FROM {FACT_TABLE} ORDER BY ym, company_id"

# Both matching paths fill the same fact table from the same rules; only the months differ.
FACT_ASSET = {
    "group_name": "NPS_SaaS",
    "deps": ["nps_ensure_saas_tables"],
    "kinds": {"sql", "postgres"},
    "tags": {"data_tier": "gold", "domain": "pension", "source": "national_pension"},
    "metadata": {"dagster/column_schema": FACT_SCHEMA, "table_name": FACT_TABLE},
}


def materialize_matching(
    context: dg.AssetExecutionContext, nps_postgres: PostgresResource, runner
) -> dg.MaterializeResult:
    """Run one matching path (`runner(conn_factory, run_uuid, log)`) and report the fact table."""
    import uuid

    from dag_shared.metadata import postgres_query_metadata

    run_uuid = str(uuid.uuid4())
    months, totals = runner(nps_postgres.connection, run_uuid, context.log.info)
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


@dg.asset(
    **FACT_ASSET,
    description="최근 월(마지막 처리 월 − 1개월부터)을 회사 차원에 매칭해 월별 팩트·별칭·롤업·계보를 갱신.",
)
def nps_saas_etl_run(
    context: dg.AssetExecutionContext, nps_postgres: PostgresResource
) -> dg.MaterializeResult:
    """Incremental matching ETL: new months since etl_control.last_ym (minus one month)."""
    from dag_nps.lib.saas_etl import run_incremental

    return materialize_matching(context, nps_postgres, run_incremental)


@dg.asset_check(
    asset="nps_saas_etl_run",
    description="The latest month of fact_pension_monthly is no older than two months (Asia/Seoul).",
)
def check_recent_freshness(nps_postgres: PostgresResource) -> dg.AssetCheckResult:
    with nps_postgres.connection() as conn:
        return monthly_freshness(conn, "public.fact_pension_monthly", "ym")


@dg.asset_check(
    asset="nps_saas_etl_run",
    description="No raw pension row is counted in two facts (lineage has each raw row once).",
)
def check_timeseries_uniqueness(nps_postgres: PostgresResource) -> dg.AssetCheckResult:
    with nps_postgres.connection() as conn:
        repeated = conn.execute(
            "SELECT count(*) FROM (SELECT raw_id FROM public.fact_pension_lineage GROUP BY raw_id HAVING count(*) > 1) r"
        ).fetchone()[0]
        mismatched = conn.execute(
            "SELECT count(*) FROM (SELECT f.company_id, f.ym FROM public.fact_pension_monthly f "
            "LEFT JOIN (SELECT l.company_id, l.ym, sum(p.subscriber_count) AS s FROM public.fact_pension_lineage l "
            "JOIN public.pension p ON p.id = l.raw_id GROUP BY 1, 2) l USING (company_id, ym) "
            "WHERE f.subscriber_count IS DISTINCT FROM l.s) m"
        ).fetchone()[0]
    return dg.AssetCheckResult(
        passed=repeated == 0 and mismatched == 0,
        metadata={"raw_rows_in_two_facts": repeated, "facts_not_matching_lineage": mismatched},
    )


@dg.asset_check(
    asset="nps_saas_etl_run",
    description="The last ETL run processed rows, accounted for each (accepted + review + reject + unmatched = total) and covered pension's latest month.",
)
def check_etl_coverage(nps_postgres: PostgresResource) -> dg.AssetCheckResult:
    from dag_nps.lib.saas_ddl import PIPELINE_NAME

    with nps_postgres.connection() as conn:
        run = conn.execute(
            "SELECT total_rows, accepted_rows, review_rows, reject_rows, unmatched_rows FROM public.etl_run_log "
            "WHERE pipeline_name = %s ORDER BY run_started_at DESC LIMIT 1",
            (PIPELINE_NAME,),
        ).fetchone()
        latest_pension = conn.execute(
            "SELECT date_trunc('month', max(data_created_ym))::date FROM public.pension"
        ).fetchone()[0]
        latest_fact = conn.execute("SELECT max(ym) FROM public.fact_pension_monthly").fetchone()[0]
    if run is None:
        return dg.AssetCheckResult(passed=False, description="no ETL run logged")
    total, accepted, review, reject, unmatched = run
    balanced = total > 0 and accepted + review + reject + (unmatched or 0) == total
    return dg.AssetCheckResult(
        passed=balanced and latest_fact == latest_pension,
        metadata={
            "total": total,
            "accepted": accepted,
            "review": review,
            "reject": reject,
            "unmatched": unmatched,
            "latest_pension_month": str(latest_pension),
            "latest_fact_month": str(latest_fact),
        },
    )
