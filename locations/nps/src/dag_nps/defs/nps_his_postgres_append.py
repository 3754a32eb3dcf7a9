"""Gold asset `nps_his_postgres_append`: the month's silver rows replace the month in `pension`,
once the guards of `nps_load_guard` pass inside the replacing transaction."""


import dagster as dg
from dag_shared.resources.postgres import PostgresResource
from dagster_duckdb import DuckDBResource

from dag_nps.nps_partitions import NPS_MONTHS, month_key
from dag_nps.nps_pension_table import PENSION_SCHEMA
from dag_nps.nps_resources import NpsSourceResource


@dg.asset(
    group_name="NPS",
    partitions_def=NPS_MONTHS,
    deps=["nps_his_digest"],
    kinds={"python", "postgres"},
    tags={"data_tier": "gold", "domain": "pension", "source": "national_pension"},
    metadata={"dagster/column_schema": PENSION_SCHEMA, "table_name": "public.pension"},
    description="정제된 월 데이터를 Postgres public.pension에 한 트랜잭션으로 교체 적재 (DELETE + COPY, 검증 통과 시에만).",
)
def nps_his_postgres_append(
    context: dg.AssetExecutionContext, nps_postgres: PostgresResource, nps_duckdb: DuckDBResource,
    nps_source: NpsSourceResource,
) -> dg.MaterializeResult:
    """Delete the month and COPY it again in one transaction: re-runs leave the same rows.

    Inside that transaction, right after the delete, the month is refused (rolled back, the run
    fails naming the file and the numbers) when its silver statistics exceed the quarantine ratio
    or it keeps fewer than NPS_MIN_ROW_SHARE of the rows it replaces, unless the digest recorded
    the drop as confirmed.
    """
    from dag_shared.load_guards import LoadRefused
    from dag_shared.metadata import postgres_query_metadata

    from dag_nps.nps_load_guard import NEIGHBOUR_MONTHS, GuardLimits, check_pension
    from dag_nps.nps_pension_table import ensure_pension, load_month, neighbour_month_counts
    from dag_nps.nps_silver import digest_stats, read_month

    month = month_key(context)
    with nps_duckdb.get_connection() as duck:  # held only while reading: digests of other months wait less
        try:
            frame = read_month(duck, month)
        except LookupError as error:
            raise dg.Failure(str(error)) from None
        stats = digest_stats(duck, month)
    limits = GuardLimits(nps_source.quarantine_max_ratio, nps_source.min_row_share)
    with nps_postgres.transaction() as conn:
        ensure_pension(conn)
    with nps_postgres.connection() as conn:

        def guard(replaced: int) -> None:
            loaded = {month: replaced} if replaced else neighbour_month_counts(conn, month, NEIGHBOUR_MONTHS)
            check_pension(stats, month, frame.height, loaded, limits)

        try:
            loaded = load_month(conn, month, frame, guard)
        except LoadRefused as refused:
            raise dg.Failure(description=str(refused), metadata={"silver_rows": frame.height}, allow_retries=False) from None
    with nps_postgres.connection() as conn:
        table_metadata = postgres_query_metadata(
            conn,
            f"SELECT * FROM public.pension WHERE data_created_ym = '{month}-01'::timestamp ORDER BY id",
        )
    context.log.info(f"replaced {month} in public.pension with {loaded} rows")
    return dg.MaterializeResult(metadata={**table_metadata, "month": month, "rows_loaded": loaded})
