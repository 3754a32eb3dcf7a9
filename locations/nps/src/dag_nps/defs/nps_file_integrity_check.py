"""Bronze asset `nps_file_integrity_check`: re-validates the month's landed files after download.

It runs after `nps_his_download` (the legacy asset had no edge and raced it for the DuckDB lock),
checks that each landed file still exists, still has the size and SHA-256 the ledger recorded,
and still passes the full validation, and replaces the month's rows of
`nps_file_metadata_integrity`. Bad files are reported, counted and fail the asset check below.
"""

import dagster as dg
from dagster_duckdb import DuckDBResource

from dag_nps.nps_partitions import NPS_MONTHS, month_key
from dag_nps.nps_resources import NpsSourceResource

INTEGRITY_TABLE = "nps_file_metadata_integrity"
INTEGRITY_SCHEMA = {
    "data_month": "VARCHAR", "release_key": "VARCHAR", "file_path": "VARCHAR", "is_valid": "BOOLEAN",
    "reason": "VARCHAR", "size_bytes": "BIGINT", "sha256": "VARCHAR", "checked_at": "TIMESTAMP",
}


@dg.asset(
    group_name="NPS",
    partitions_def=NPS_MONTHS,
    pool="nps_duckdb",  # one writer of the DuckDB file at a time across runs
    deps=["nps_his_download"],
    kinds={"python", "csv", "duckdb"},
    tags={"data_tier": "bronze", "domain": "pension", "source": "national_pension", "validation": "integrity_check"},
    metadata={
        "validation_type": "file_integrity",
        "dagster/column_schema": dg.TableSchema(columns=[dg.TableColumn(n, t) for n, t in INTEGRITY_SCHEMA.items()]),
    },
    description="내려받은 월 파일의 무결성(크기·SHA-256·CP949·헤더·마지막 레코드) 재검증.",
)
def nps_file_integrity_check(
    context: dg.AssetExecutionContext, nps_duckdb: DuckDBResource, nps_source: NpsSourceResource
) -> dg.MaterializeResult:
    """Re-check the month's valid ledger files on disk and record one row per file."""
    from pathlib import Path

    from dag_shared.metadata import duckdb_query_metadata

    from dag_nps.nps_ledger import ensure_ledger, entries
    from dag_nps.nps_validate import check_file

    month = month_key(context)
    with nps_duckdb.get_connection() as conn:
        ensure_ledger(conn)
        files = [e for e in entries(conn).values() if e.data_month == month and e.status == "valid"]
    results = []
    for entry in files:
        path = Path(entry.file_path)
        if not path.is_file():
            results.append((entry, False, "file_not_found", 0, ""))
            continue
        check = check_file(path, nps_source.min_file_bytes)
        reason = check.reason
        if check.ok and check.sha256 != entry.sha256:
            reason = f"sha256 changed since download ({entry.sha256[:12]}… → {check.sha256[:12]}…)"
        results.append((entry, check.ok and reason == "valid", reason, check.size_bytes, check.sha256))
    with nps_duckdb.get_connection() as conn:
        conn.execute(
            f"CREATE TABLE IF NOT EXISTS {INTEGRITY_TABLE} ("
            + ", ".join(f"{n} {t}" for n, t in INTEGRITY_SCHEMA.items()) + ")"
        )
        conn.execute("BEGIN TRANSACTION")
        conn.execute(f"DELETE FROM {INTEGRITY_TABLE} WHERE data_month = ?", [month])
        for entry, ok, reason, size, sha in results:
            conn.execute(
                f"INSERT INTO {INTEGRITY_TABLE} VALUES (?, ?, ?, ?, ?, ?, ?, current_timestamp)",
                [month, entry.release_key, entry.file_path, ok, reason, size, sha],
            )
        conn.execute("COMMIT")
        table_metadata = duckdb_query_metadata(
            conn, f"SELECT * FROM {INTEGRITY_TABLE} WHERE data_month = ? ORDER BY release_key", [month]
        )
    bad = [(e.release_key, reason) for e, ok, reason, _, _ in results if not ok]
    for key, reason in bad:
        context.log.error(f"{key}: {reason}")
    return dg.MaterializeResult(
        metadata={
            **table_metadata,
            "total_files_checked": len(results),
            "valid_files": len(results) - len(bad),
            "corrupted_files": len(bad),
            "corrupted_file_details": dg.MetadataValue.json(dict(bad)),
        }
    )
