"""Silver asset `nps_his_digest`: the month's file decoded, typed and de-duplicated into the
DuckDB table `nps_pension_silver`, replacing that month."""


import dagster as dg
from dagster_duckdb import DuckDBResource

from dag_nps.nps_partitions import NPS_MONTHS, month_key
from dag_nps.nps_silver import SILVER_SCHEMA


@dg.asset(
    group_name="NPS",
    partitions_def=NPS_MONTHS,
    pool="nps_duckdb",  # one writer of the DuckDB file at a time across runs
    deps=["nps_his_download"],
    kinds={"python", "polars", "duckdb"},
    tags={"data_tier": "silver", "domain": "pension", "source": "national_pension"},
    metadata={"dagster/column_schema": SILVER_SCHEMA, "table": "nps_pension_silver (DuckDB, .dag/duckdb/nps.duckdb)"},
    description="CP949 원본을 디코딩·정제·타입 변환하여 DuckDB nps_pension_silver에 월 단위로 교체 적재.",
)
def nps_his_digest(context: dg.AssetExecutionContext, nps_duckdb: DuckDBResource) -> dg.MaterializeResult:
    """Replace the month of `nps_pension_silver`; unparseable rows go to `nps_digest_quarantine`."""
    from pathlib import Path

    from dag_shared.metadata import frame_metadata

    from dag_nps.nps_digest import digest_file
    from dag_nps.nps_ledger import ensure_ledger, file_for_month
    from dag_nps.nps_silver import ensure_silver, replace_month

    month = month_key(context)
    with nps_duckdb.get_connection() as conn:
        ensure_ledger(conn)
        entry = file_for_month(conn, month)
    if entry is None:
        raise dg.Failure(f"no valid bronze file for data month {month}: materialize nps_his_download first")
    digest = digest_file(Path(entry.file_path), month)
    for item in digest.quarantine[:20]:
        context.log.warning(f"quarantined {item[1]} line {item[2]}: {item[3]}")
    with nps_duckdb.get_connection() as conn:
        ensure_silver(conn)
        replace_month(conn, month, digest, entry.release_key, entry.sha256, entry.source_encoding)
    context.log.info(
        f"{month}: {digest.frame.height} rows into nps_pension_silver, {digest.duplicates_removed} duplicates "
        f"removed, {len(digest.quarantine)} quarantined"
    )
    return dg.MaterializeResult(
        metadata={
            **frame_metadata(digest.frame),
            "dagster/column_schema": SILVER_SCHEMA,  # the DuckDB column types, described
            "file": entry.release_key,
            "source_encoding": entry.source_encoding,
            "rows_read": digest.rows_read,
            "duplicates_removed": digest.duplicates_removed,
            "rows_quarantined": len(digest.quarantine),
            "header": ",".join(digest.header),
        }
    )
