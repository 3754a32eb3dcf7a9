"""Bronze asset `nps_file_integrity_check` and its check `nps_files_intact`.

The asset re-validates the month's landed files after download: it runs after `nps_his_download`
(the legacy asset had no edge and raced it for the DuckDB lock), checks that each landed file
still exists, still has the SHA-256 the ledger recorded and still passes the full validation
(`dag_nps.lib.integrity`), and replaces the month's rows of `nps_file_metadata_integrity`. Bad
files are reported, counted and fail the asset check.
"""

import dagster as dg
from dag_shared.resources.duckdb import DuckDBResource

from dag_nps.defs.month_range import BACKFILL_POLICY, DONE, SKIPPED, range_metadata, walk_months
from dag_nps.defs.partitions import NPS_MONTHS, month_keys
from dag_nps.defs.resources import NpsSourceResource
from dag_nps.lib.integrity import INTEGRITY_SCHEMA, INTEGRITY_TABLE, already_intact


@dg.asset(
    group_name="NPS",
    partitions_def=NPS_MONTHS,
    pool="nps_duckdb",  # one writer of the DuckDB file at a time across runs
    deps=["nps_his_download"],
    backfill_policy=BACKFILL_POLICY,  # a backfill is one run over its months (defs/month_range.py)
    kinds={"python", "csv", "duckdb"},
    tags={
        "data_tier": "bronze",
        "domain": "pension",
        "source": "national_pension",
        "validation": "integrity_check",
    },
    metadata={
        "validation_type": "file_integrity",
        "dagster/column_schema": dg.TableSchema(
            columns=[dg.TableColumn(n, t) for n, t in INTEGRITY_SCHEMA.items()]
        ),
    },
    description="내려받은 월 파일의 무결성(크기·SHA-256·CP949·헤더·마지막 레코드) 재검증.",
)
def nps_file_integrity_check(
    context: dg.AssetExecutionContext, nps_duckdb: DuckDBResource, nps_source: NpsSourceResource
) -> dg.MaterializeResult:
    """Re-check the month's valid ledger files on disk and record one row per file.

    A range run (a backfill) checks each month in order and skips a month whose recorded results
    are all valid for the very files (SHA-256) the ledger holds now.
    """
    months = month_keys(context)
    min_bytes = nps_source.settings().min_file_bytes
    if len(months) == 1:
        return dg.MaterializeResult(metadata=_check_month(context, months[0], nps_duckdb, min_bytes, True))

    def month(key: str) -> dict:
        with nps_duckdb.get_connection() as conn:
            files = already_intact(conn, key)
        if files is not None:
            return {"status": SKIPPED, "files": files}
        checked = _check_month(context, key, nps_duckdb, min_bytes, False)
        return {
            "status": DONE,
            "files": checked["total_files_checked"],
            "corrupted": checked["corrupted_files"],
        }

    return dg.MaterializeResult(metadata=range_metadata(walk_months(context, months, month)))


def _check_month(
    context: dg.AssetExecutionContext, month: str, nps_duckdb: DuckDBResource, min_bytes: int, preview: bool
) -> dict:
    """Check one month's files and record the results; its materialization metadata."""
    from dag_shared.metadata import duckdb_query_metadata

    from dag_nps.lib.integrity import check_files, month_files, record_results

    with nps_duckdb.get_connection() as conn:
        files = month_files(conn, month)
    results = check_files(files, min_bytes)
    with nps_duckdb.get_connection() as conn:
        record_results(conn, month, results)
        table_metadata = (
            duckdb_query_metadata(
                conn, f"SELECT * FROM {INTEGRITY_TABLE} WHERE data_month = ? ORDER BY release_key", [month]
            )
            if preview
            else {}
        )
    bad = [(r.entry.release_key, r.reason) for r in results if not r.ok]
    for key, reason in bad:
        context.log.error(f"{key}: {reason}")
    return {
        **table_metadata,
        "total_files_checked": len(results),
        "valid_files": len(results) - len(bad),
        "corrupted_files": len(bad),
        "corrupted_file_details": dg.MetadataValue.json(dict(bad)),
    }


@dg.asset_check(
    asset="nps_file_integrity_check",
    description="Every landed file of the checked months still matches its ledger row and passes validation.",
)
def nps_files_intact(nps_duckdb: DuckDBResource) -> dg.AssetCheckResult:
    from dag_nps.lib.silver import table_exists

    with nps_duckdb.get_connection() as duck:
        if not table_exists(duck, INTEGRITY_TABLE):
            return dg.AssetCheckResult(passed=False, description="no integrity check has run")
        bad = duck.execute(
            f"SELECT release_key, reason FROM {INTEGRITY_TABLE} WHERE NOT is_valid ORDER BY 1"
        ).fetchall()
        checked = duck.execute(f"SELECT count(*) FROM {INTEGRITY_TABLE}").fetchone()[0]
    return dg.AssetCheckResult(
        passed=checked > 0 and not bad, metadata={"checked": checked, "bad": dg.MetadataValue.json(dict(bad))}
    )
