"""Gold asset `nps_his_postgres_append` and its checks on `public.pension`.

The asset replaces the month in `pension` with the month's silver rows, in one transaction
(DELETE + COPY, `dag_nps.lib.pension_table`), once the guards of `dag_nps.lib.load_guard` pass
inside that transaction. The checks: silver and pension agree per month
(`simple_postgres_check`, blocking), no duplicate natural keys in the month just loaded, and the
latest month is fresh.
"""

import dagster as dg
from dag_shared.checks.trend_monitor import trend_monitor
from dag_shared.resources.duckdb import DuckDBResource
from dag_shared.resources.postgres import PostgresResource

from dag_nps.defs.month_range import BACKFILL_POLICY, DONE, SKIPPED, range_metadata, walk_months
from dag_nps.defs.monthly_freshness import monthly_freshness
from dag_nps.defs.partitions import NPS_MONTHS, month_keys
from dag_nps.defs.resources import NpsSourceResource
from dag_nps.lib.pension_table import PENSION_COLUMNS

PENSION_SCHEMA = dg.TableSchema(
    columns=[
        dg.TableColumn(name, kind, description=description) for name, kind, description in PENSION_COLUMNS
    ]
)


@dg.asset(
    group_name="NPS",
    partitions_def=NPS_MONTHS,
    deps=["nps_his_digest"],
    backfill_policy=BACKFILL_POLICY,  # a backfill is one run over its months (defs/month_range.py)
    kinds={"python", "postgres"},
    tags={"data_tier": "gold", "domain": "pension", "source": "national_pension"},
    metadata={"dagster/column_schema": PENSION_SCHEMA, "table_name": "public.pension"},
    description="정제된 월 데이터를 Postgres public.pension에 한 트랜잭션으로 교체 적재 (DELETE + COPY, 검증 통과 시에만).",
)
def nps_his_postgres_append(
    context: dg.AssetExecutionContext,
    nps_postgres: PostgresResource,
    nps_duckdb: DuckDBResource,
    nps_source: NpsSourceResource,
) -> dg.MaterializeResult:
    """Delete the month and COPY it again in one transaction: re-runs leave the same rows.

    Inside that transaction, right after the delete, the month is refused (rolled back, the run
    fails naming the file and the numbers) when its silver statistics exceed the quarantine ratio
    or it keeps fewer than NPS_MIN_ROW_SHARE of the rows it replaces, unless the digest recorded
    the drop as confirmed.

    A range run (a backfill) loads each month in order and skips a month whose load mark
    (`nps_pension_loads`) has the digested file's SHA-256 and row count. When it has more than
    one month to load it first drops the matching indexes (not the month index):
    `nps_pension_staging_indexes`, next in the same run, builds them once over the whole table.
    """
    from dag_nps.lib.pension_indexes import drop_secondary_indexes
    from dag_nps.lib.pension_table import ensure_pension, load_marks
    from dag_nps.lib.silver import digest_stats

    months = month_keys(context)
    with nps_postgres.transaction() as conn:
        ensure_pension(conn)
    if len(months) == 1:
        return dg.MaterializeResult(
            metadata=_append_month(context, months[0], nps_postgres, nps_duckdb, nps_source, True)
        )

    with nps_postgres.connection() as conn:
        marks = load_marks(conn)
    with nps_duckdb.get_connection() as duck:
        stats = {m: digest_stats(duck, m) for m in months}

    def loaded(month: str) -> bool:
        found = stats[month]
        return found is not None and marks.get(month) == (found["sha256"], found["rows_kept"])

    pending = [m for m in months if not loaded(m)]
    if len(pending) > 1:
        dropped = drop_secondary_indexes(nps_postgres.url)
        if dropped:
            context.log.info(
                f"{len(pending)} months to load: dropped {', '.join(dropped)} until the index step"
            )

    def month(key: str) -> dict:
        if key not in pending:
            return {"status": SKIPPED, "rows": marks[key][1]}
        appended = _append_month(context, key, nps_postgres, nps_duckdb, nps_source, False)
        return {"status": DONE, "rows": appended["rows_loaded"]}

    return dg.MaterializeResult(metadata=range_metadata(walk_months(context, months, month), "rows"))


def _append_month(
    context: dg.AssetExecutionContext,
    month: str,
    nps_postgres: PostgresResource,
    nps_duckdb: DuckDBResource,
    nps_source: NpsSourceResource,
    preview: bool,
) -> dict:
    """Replace one month in pension; its materialization metadata (the table preview when `preview`)."""
    from dag_shared.load_guards import LoadRefused
    from dag_shared.metadata import postgres_query_metadata

    from dag_nps.lib.load_guard import NEIGHBOUR_MONTHS, GuardLimits, check_pension
    from dag_nps.lib.pension_table import load_month, neighbour_month_counts
    from dag_nps.lib.silver import digest_stats, read_month

    with nps_duckdb.get_connection() as duck:  # held only while reading: digests of other months wait less
        try:
            frame = read_month(duck, month)
        except LookupError as error:
            raise dg.Failure(str(error)) from None
        stats = digest_stats(duck, month)
    source = nps_source.settings()
    limits = GuardLimits(source.quarantine_max_ratio, source.min_row_share)
    with nps_postgres.connection() as conn:

        def guard(replaced: int) -> None:
            loaded = {month: replaced} if replaced else neighbour_month_counts(conn, month, NEIGHBOUR_MONTHS)
            check_pension(stats, month, frame.height, loaded, limits)

        try:
            loaded = load_month(conn, month, frame, guard, stats["sha256"] if stats else None)
        except LoadRefused as refused:
            raise dg.Failure(
                description=str(refused), metadata={"silver_rows": frame.height}, allow_retries=False
            ) from None
    table_metadata = {}
    if preview:
        with nps_postgres.connection() as conn:
            table_metadata = postgres_query_metadata(
                conn,
                f"SELECT * FROM public.pension WHERE data_created_ym = '{month}-01'::timestamp ORDER BY id",
            )
    context.log.info(f"replaced {month} in public.pension with {loaded} rows")
    return {**table_metadata, "month": month, "rows_loaded": loaded}


def _table_exists(conn, name: str) -> bool:
    return conn.execute("SELECT to_regclass(%s) IS NOT NULL", (name,)).fetchone()[0]


@dg.asset_check(
    asset="nps_his_postgres_append",
    blocking=True,
    description="Every digested month has the same row count in pension as in silver, and pension is not empty.",
)
def simple_postgres_check(nps_postgres: PostgresResource, nps_duckdb: DuckDBResource) -> dg.AssetCheckResult:
    from dag_nps.lib.silver import silver_month_counts

    with nps_duckdb.get_connection() as duck:
        silver = silver_month_counts(duck)
    with nps_postgres.connection() as conn:
        if not _table_exists(conn, "public.pension"):
            return dg.AssetCheckResult(passed=False, description="public.pension does not exist")
        warehouse = dict(
            conn.execute(
                "SELECT to_char(data_created_ym, 'YYYY-MM'), count(*) FROM public.pension GROUP BY 1"
            ).fetchall()
        )
    mismatches = {
        m: {"silver": silver.get(m, 0), "pension": warehouse.get(m, 0)}
        for m in sorted(set(silver) | set(warehouse))
        if silver.get(m, 0) != warehouse.get(m, 0)
    }
    return dg.AssetCheckResult(
        passed=bool(warehouse) and not mismatches,
        description="pension is empty" if not warehouse else None,
        metadata={
            "months": len(warehouse),
            "mismatched_months": dg.MetadataValue.json(mismatches),
            "rows": sum(warehouse.values()),
        },
    )


@dg.asset_check(
    asset="nps_his_postgres_append",
    description="No two rows of the most recently loaded month share all 22 source columns (the natural key: BRNs are masked).",
)
def nps_pension_no_duplicate_natural_keys(nps_postgres: PostgresResource) -> dg.AssetCheckResult:
    from dag_nps.lib.columns import COLUMN_NAMES

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
    return dg.AssetCheckResult(
        passed=duplicates == 0, metadata={"month": str(month[0]), "duplicate_keys": duplicates}
    )


@dg.asset_check(
    asset="nps_his_postgres_append",
    description="The latest month in pension is no older than two months (Asia/Seoul).",
)
def nps_pension_latest_month_fresh(nps_postgres: PostgresResource) -> dg.AssetCheckResult:
    with nps_postgres.connection() as conn:
        if not _table_exists(conn, "public.pension"):
            return dg.AssetCheckResult(passed=False, description="public.pension does not exist")
        return monthly_freshness(conn, "public.pension", "data_created_ym")


# Guidelines §8: the month's insured members against the previous six months (WARN above 15%).
nps_pension_subscriber_trend = trend_monitor(
    asset="nps_his_postgres_append",
    name="nps_pension_subscriber_trend",
    metric="monthly insured members (sum of subscriber_count)",
    query=(
        "SELECT to_char(data_created_ym, 'YYYY-MM'), sum(subscriber_count) FROM public.pension "
        "GROUP BY data_created_ym"
    ),
    resource_key="nps_postgres",
)
