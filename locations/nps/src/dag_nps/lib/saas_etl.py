"""The SaaS/KYC matching runs: the incremental ETL and the full rebuild over `pension`.

Both call `saas_matching.refresh_companies` for the months they cover, then
`saas_matching.match_month` per month in ascending order, one transaction per month, and log
the run in `etl_run_log` (the last 100 runs of a pipeline are kept). `conn_factory` is a
context-manager factory of psycopg connections (the Postgres resource's `connection`).
"""

from __future__ import annotations

from dag_nps.lib.saas_ddl import PIPELINE_NAME, REBUILD_PIPELINE_NAME
from dag_nps.lib.saas_matching import (
    PROCESS_MONTH_BUFFER,
    MonthCounts,
    match_month,
    pension_months,
    refresh_companies,
)


def run_incremental(conn_factory, run_uuid: str, log=lambda message: None):
    """Process months from etl_control.last_ym − buffer (all months on the first run)."""
    with conn_factory() as conn:
        last = conn.execute(
            "SELECT last_ym FROM public.etl_control WHERE pipeline_name = %s", (PIPELINE_NAME,)
        ).fetchone()
        since = None
        if last and last[0] is not None:
            since = conn.execute(
                "SELECT (%s::date - make_interval(months => %s))::date", (last[0], PROCESS_MONTH_BUFFER)
            ).fetchone()[0]
        months = pension_months(conn, since)
    return _process(conn_factory, months, run_uuid, PIPELINE_NAME, "pension_raw", log, update_control=True)


def run_full_rebuild(conn_factory, run_uuid: str, log=lambda message: None):
    """Empty the layer, then run the same matching over every month (one transaction per month)."""
    with conn_factory() as conn, conn.transaction():
        conn.execute(
            "TRUNCATE public.fact_pension_monthly_rollup, public.fact_pension_lineage, public.fact_pension_monthly, "
            "public.match_review_queue, public.match_audit_log, public.company_rollup, public.company_alias, "
            "public.dim_company RESTART IDENTITY"
        )
        months = pension_months(conn)
    return _process(
        conn_factory, months, run_uuid, REBUILD_PIPELINE_NAME, "full_rebuild", log, update_control=False
    )


def _process(conn_factory, months, run_uuid, pipeline, source, log, update_control):
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
            (
                pipeline,
                totals.total,
                totals.accepted,
                totals.review,
                totals.reject,
                totals.unmatched,
                f"months: {', '.join(f'{m:%Y-%m}' for m in months)}",
                run_uuid,
            ),
        )
        conn.execute(
            "DELETE FROM public.etl_run_log WHERE pipeline_name = %s AND run_started_at < ("
            "SELECT min(run_started_at) FROM (SELECT run_started_at FROM public.etl_run_log WHERE pipeline_name = %s "
            "ORDER BY run_started_at DESC LIMIT 100) recent)",
            (pipeline, pipeline),
        )
    return months, totals
