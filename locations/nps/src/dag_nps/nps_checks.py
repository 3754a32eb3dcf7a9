"""Asset checks of the `nps` location; each one can fail and says why."""


import dagster as dg
from dag_shared.resources.postgres import PostgresResource
from dagster_duckdb import DuckDBResource

from dag_nps.nps_resources import NpsSourceResource

FRESHNESS_MONTHS = 2


def _table_exists(conn, name: str) -> bool:
    return conn.execute("SELECT to_regclass(%s) IS NOT NULL", (name,)).fetchone()[0]


@dg.asset_check(asset="nps_his_postgres_append", blocking=True, description="Every digested month has the same row count in pension as in silver, and pension is not empty.")
def simple_postgres_check(nps_postgres: PostgresResource, nps_duckdb: DuckDBResource) -> dg.AssetCheckResult:
    from dag_nps.nps_silver import silver_month_counts

    with nps_duckdb.get_connection() as duck:
        silver = silver_month_counts(duck)
    with nps_postgres.connection() as conn:
        if not _table_exists(conn, "public.pension"):
            return dg.AssetCheckResult(passed=False, description="public.pension does not exist")
        warehouse = dict(conn.execute("SELECT to_char(data_created_ym, 'YYYY-MM'), count(*) FROM public.pension GROUP BY 1").fetchall())
    mismatches = {m: {"silver": silver.get(m, 0), "pension": warehouse.get(m, 0)} for m in sorted(set(silver) | set(warehouse)) if silver.get(m, 0) != warehouse.get(m, 0)}
    return dg.AssetCheckResult(
        passed=bool(warehouse) and not mismatches,
        description="pension is empty" if not warehouse else None,
        metadata={"months": len(warehouse), "mismatched_months": dg.MetadataValue.json(mismatches), "rows": sum(warehouse.values())},
    )


@dg.asset_check(
    asset="nps_his_postgres_append",
    description="No two rows of the most recently loaded month share all 22 source columns (the natural key: BRNs are masked).",
)
def nps_pension_no_duplicate_natural_keys(nps_postgres: PostgresResource) -> dg.AssetCheckResult:
    from dag_nps.nps_columns import COLUMN_NAMES

    with nps_postgres.connection() as conn:
        if not _table_exists(conn, "public.pension"):
            return dg.AssetCheckResult(passed=False, description="public.pension does not exist")
        # the month of the newest id is the month just loaded (ids grow with every load)
        month = conn.execute(
            "SELECT data_created_ym FROM public.pension WHERE id = (SELECT max(id) FROM public.pension)"
        ).fetchone()
        if month is None:
            return dg.AssetCheckResult(passed=False, description="public.pension is empty")
        duplicates = conn.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM public.pension WHERE data_created_ym = %s "
            f"GROUP BY {', '.join(COLUMN_NAMES)} HAVING count(*) > 1) d",
            (month[0],),
        ).fetchone()[0]
    return dg.AssetCheckResult(passed=duplicates == 0, metadata={"month": str(month[0]), "duplicate_keys": duplicates})


@dg.asset_check(asset="nps_his_postgres_append", description="The latest month in pension is no older than two months (Asia/Seoul).")
def nps_pension_latest_month_fresh(nps_postgres: PostgresResource) -> dg.AssetCheckResult:
    with nps_postgres.connection() as conn:
        if not _table_exists(conn, "public.pension"):
            return dg.AssetCheckResult(passed=False, description="public.pension does not exist")
        latest, limit = conn.execute(
            "SELECT max(data_created_ym), date_trunc('month', (now() AT TIME ZONE 'Asia/Seoul')) - make_interval(months => %s) "
            "FROM public.pension", (FRESHNESS_MONTHS,)
        ).fetchone()
    passed = latest is not None and latest >= limit
    return dg.AssetCheckResult(passed=passed, severity=dg.AssetCheckSeverity.WARN,
                               metadata={"latest_month": str(latest), "oldest_allowed": str(limit)})


@dg.asset_check(asset="nps_file_integrity_check", description="Every landed file of the checked months still matches its ledger row and passes validation.")
def nps_files_intact(nps_duckdb: DuckDBResource) -> dg.AssetCheckResult:
    from dag_nps.nps_file_integrity_check import INTEGRITY_TABLE

    with nps_duckdb.get_connection() as duck:
        if not duck.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [INTEGRITY_TABLE]).fetchone()[0]:
            return dg.AssetCheckResult(passed=False, description="no integrity check has run")
        bad = duck.execute(f"SELECT release_key, reason FROM {INTEGRITY_TABLE} WHERE NOT is_valid ORDER BY 1").fetchall()
        checked = duck.execute(f"SELECT count(*) FROM {INTEGRITY_TABLE}").fetchone()[0]
    return dg.AssetCheckResult(passed=checked > 0 and not bad, metadata={"checked": checked, "bad": dg.MetadataValue.json(dict(bad))})


@dg.asset_check(asset="nps_saas_etl_run", description="The latest month of fact_pension_monthly is no older than two months (Asia/Seoul).")
def check_recent_freshness(nps_postgres: PostgresResource) -> dg.AssetCheckResult:
    with nps_postgres.connection() as conn:
        latest, limit = conn.execute(
            "SELECT max(ym), (date_trunc('month', (now() AT TIME ZONE 'Asia/Seoul')) - make_interval(months => %s))::date "
            "FROM public.fact_pension_monthly", (FRESHNESS_MONTHS,)
        ).fetchone()
    return dg.AssetCheckResult(passed=latest is not None and latest >= limit, severity=dg.AssetCheckSeverity.WARN,
                               metadata={"latest_month": str(latest), "oldest_allowed": str(limit)})


@dg.asset_check(asset="nps_his_digest", description="Quarantined rows stay below NPS_QUARANTINE_MAX_RATIO of every digested month.")
def nps_quarantine_below_threshold(nps_duckdb: DuckDBResource, nps_source: NpsSourceResource) -> dg.AssetCheckResult:
    with nps_duckdb.get_connection() as duck:
        if not duck.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'nps_digest_files'").fetchone()[0]:
            return dg.AssetCheckResult(passed=False, description="nothing digested yet")
        rows = duck.execute("SELECT data_month, rows_read, rows_quarantined FROM nps_digest_files ORDER BY data_month").fetchall()
    over = {m: q / r for m, r, q in rows if r and q / r > nps_source.quarantine_max_ratio}
    return dg.AssetCheckResult(
        passed=bool(rows) and not over,
        metadata={"threshold": nps_source.quarantine_max_ratio, "months_over": dg.MetadataValue.json(over),
                  "quarantined_rows": sum(q for _, _, q in rows)},
    )


@dg.asset_check(asset="nps_pension_staging_indexes", description="pg_trgm, unaccent, the four name functions and the six pension indexes exist and are valid.")
def check_pension_staging_indexes(nps_postgres: PostgresResource) -> dg.AssetCheckResult:
    from dag_nps.nps_name_sql import FUNCTIONS
    from dag_nps.nps_pension_staging_indexes import EXTENSIONS, INDEXES

    with nps_postgres.connection() as conn:
        extensions = {r[0] for r in conn.execute("SELECT extname FROM pg_extension")}
        functions = {r[0] for r in conn.execute("SELECT proname FROM pg_proc WHERE pronamespace = 'public'::regnamespace")}
        indexes = {r[0] for r in conn.execute(
            "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "WHERE i.indrelid = to_regclass('public.pension') AND i.indisvalid")}
    missing = sorted(set(EXTENSIONS) - extensions) + sorted(set(FUNCTIONS) - functions) + sorted(set(INDEXES) - indexes)
    return dg.AssetCheckResult(passed=not missing, metadata={"missing": dg.MetadataValue.json(missing)})


@dg.asset_check(asset="nps_saas_etl_run", description="No raw pension row is counted in two facts (lineage has each raw row once).")
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
    return dg.AssetCheckResult(passed=repeated == 0 and mismatched == 0,
                               metadata={"raw_rows_in_two_facts": repeated, "facts_not_matching_lineage": mismatched})


@dg.asset_check(asset="nps_saas_etl_run", description="The last ETL run processed rows, accounted for each (accepted + review + reject + unmatched = total) and covered pension's latest month.")
def check_etl_coverage(nps_postgres: PostgresResource) -> dg.AssetCheckResult:
    from dag_nps.nps_saas_ddl import PIPELINE_NAME

    with nps_postgres.connection() as conn:
        run = conn.execute(
            "SELECT total_rows, accepted_rows, review_rows, reject_rows, unmatched_rows FROM public.etl_run_log "
            "WHERE pipeline_name = %s ORDER BY run_started_at DESC LIMIT 1", (PIPELINE_NAME,)
        ).fetchone()
        latest_pension = conn.execute("SELECT date_trunc('month', max(data_created_ym))::date FROM public.pension").fetchone()[0]
        latest_fact = conn.execute("SELECT max(ym) FROM public.fact_pension_monthly").fetchone()[0]
    if run is None:
        return dg.AssetCheckResult(passed=False, description="no ETL run logged")
    total, accepted, review, reject, unmatched = run
    balanced = total > 0 and accepted + review + reject + (unmatched or 0) == total
    return dg.AssetCheckResult(
        passed=balanced and latest_fact == latest_pension,
        metadata={"total": total, "accepted": accepted, "review": review, "reject": reject, "unmatched": unmatched,
                  "latest_pension_month": str(latest_pension), "latest_fact_month": str(latest_fact)},
    )
