"""Gold asset `nps_pension_staging_indexes` and its check `check_pension_staging_indexes`.

The asset ensures the extensions, the four company-name functions and the matching indexes on
`public.pension` (five, or the spec's six with `NPS_PENSION_GIST_INDEX`; built in parallel
sessions by `dag_nps.lib.pension_indexes`); the check verifies they all exist and are valid.
"""

import dagster as dg
from dag_shared.resources.postgres import PostgresResource

from dag_nps.defs.month_range import BACKFILL_POLICY
from dag_nps.defs.partitions import NPS_MONTHS


@dg.asset(
    group_name="NPS",
    partitions_def=NPS_MONTHS,
    deps=["nps_his_postgres_append"],
    backfill_policy=BACKFILL_POLICY,  # once per run, after the whole range is loaded (defs/month_range.py)
    kinds={"sql", "postgres"},
    tags={"data_tier": "gold", "domain": "pension", "source": "national_pension"},
    metadata={
        "dagster/column_schema": dg.TableSchema(
            columns=[dg.TableColumn("index_name", "text"), dg.TableColumn("definition", "text")]
        ),
        "table_name": "public.pension",
    },
    description="pg_trgm/unaccent 확장, 회사명 정규화 함수 4종과 pension 매칭 인덱스 생성 "
    "(5종, NPS_PENSION_GIST_INDEX=true이면 GiST 포함 6종).",
)
def nps_pension_staging_indexes(
    context: dg.AssetExecutionContext, nps_postgres: PostgresResource
) -> dg.MaterializeResult:
    """Ensure extensions, the four name functions and the wanted indexes on public.pension."""
    from dag_shared.metadata import postgres_query_metadata

    from dag_nps.lib.pension_indexes import build_indexes, ensure_functions
    from dag_nps.lib.pension_table import ensure_pension

    with nps_postgres.transaction() as conn:
        ensure_pension(conn)
        ensure_functions(conn)
    try:
        actions = build_indexes(nps_postgres.url, context.log.info)
    except ValueError as error:  # a malformed NPS_PENSION_GIST_INDEX: a retry would read the same value
        raise dg.Failure(description=str(error), allow_retries=False) from None
    with nps_postgres.connection() as conn:
        table_metadata = postgres_query_metadata(
            conn,
            "SELECT indexname AS index_name, indexdef AS definition FROM pg_indexes "
            "WHERE schemaname = 'public' AND tablename = 'pension' ORDER BY indexname",
        )
    return dg.MaterializeResult(
        metadata={**table_metadata, "actions": actions, "actions_completed_count": len(actions)}
    )


@dg.asset_check(
    asset="nps_pension_staging_indexes",
    description="pg_trgm, unaccent, the four name functions and the pension indexes the settings ask for "
    "(NPS_PENSION_GIST_INDEX) exist and are valid.",
)
def check_pension_staging_indexes(nps_postgres: PostgresResource) -> dg.AssetCheckResult:
    from dag_nps.lib.name_sql import FUNCTIONS
    from dag_nps.lib.pension_indexes import EXTENSIONS, wanted_indexes

    with nps_postgres.connection() as conn:
        extensions = {r[0] for r in conn.execute("SELECT extname FROM pg_extension")}
        functions = {
            r[0]
            for r in conn.execute("SELECT proname FROM pg_proc WHERE pronamespace = 'public'::regnamespace")
        }
        indexes = {
            r[0]
            for r in conn.execute(
                "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                "WHERE i.indrelid = to_regclass('public.pension') AND i.indisvalid"
            )
        }
    missing = (
        sorted(set(EXTENSIONS) - extensions)
        + sorted(set(FUNCTIONS) - functions)
        + sorted(set(wanted_indexes()) - indexes)
    )
    return dg.AssetCheckResult(passed=not missing, metadata={"missing": dg.MetadataValue.json(missing)})
