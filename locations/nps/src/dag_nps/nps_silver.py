"""The silver layer: typed rows per month, quarantined records and per-file statistics.

The rows of a month live in one Parquet file (`$DAG_DATA_DIR/nps/silver/<YYYY-MM>.parquet`),
replaced by an atomic rename, and DuckDB exposes all months as the view `nps_pension_silver`.
Writing Parquet from polars is about three times faster than inserting the same 600,000 rows
into a DuckDB table, and a month can never be half written. Quarantine and statistics are
DuckDB tables, replaced per month in one transaction.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Any

import dagster as dg

from dag_nps.nps_columns import COLUMNS

SILVER_TABLE = "nps_pension_silver"
QUARANTINE_TABLE = "nps_digest_quarantine"
FILES_TABLE = "nps_digest_files"

_DUCK_TYPES = {"month": "DATE", "date": "DATE", "int": "INTEGER", "bigint": "BIGINT"}


def duck_type(kind: str) -> str:
    return _DUCK_TYPES.get(kind, "VARCHAR")


SILVER_SCHEMA = dg.TableSchema(
    columns=[dg.TableColumn("source_line", "BIGINT", description="line of the record in the source file")]
    + [dg.TableColumn(c.name, duck_type(c.kind), description=f"{c.header}: {c.description}") for c in COLUMNS]
)

DDL = (
    f"""CREATE TABLE IF NOT EXISTS {QUARANTINE_TABLE} (
        data_month VARCHAR NOT NULL, file VARCHAR NOT NULL, line BIGINT NOT NULL,
        reason VARCHAR NOT NULL, raw VARCHAR)""",
    f"""CREATE TABLE IF NOT EXISTS {FILES_TABLE} (
        data_month VARCHAR PRIMARY KEY, file VARCHAR NOT NULL, sha256 VARCHAR NOT NULL,
        source_encoding VARCHAR NOT NULL, header VARCHAR NOT NULL, columns INTEGER NOT NULL,
        rows_read BIGINT NOT NULL, rows_kept BIGINT NOT NULL, duplicates_removed BIGINT NOT NULL,
        rows_quarantined BIGINT NOT NULL, digested_at TIMESTAMP NOT NULL DEFAULT current_timestamp)""",
)


def silver_dir() -> Path:
    from dag_shared.settings import data_dir

    path = data_dir() / "nps" / "silver"
    path.mkdir(parents=True, exist_ok=True)
    return path


def month_file(month: str) -> Path:
    return silver_dir() / f"{month}.parquet"


def ensure_silver(conn: Any) -> None:
    """The quarantine and statistics tables, and the view over the monthly Parquet files."""
    for statement in DDL:
        conn.execute(statement)
    if any(silver_dir().glob("*.parquet")):
        pattern = str(silver_dir() / "*.parquet").replace("'", "''")
        conn.execute(f"CREATE OR REPLACE VIEW {SILVER_TABLE} AS SELECT * FROM read_parquet('{pattern}')")


def silver_exists(conn: Any) -> bool:
    return bool(conn.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [SILVER_TABLE]
    ).fetchone()[0])


def replace_month(conn: Any, month: str, digest: Any, file_name: str, sha256: str, encoding: str) -> None:
    """Replace the month: Parquet written aside, statistics committed, then the file renamed in."""
    from dag_nps.nps_digest import quarantine_frame

    target = month_file(month)
    partial = target.with_suffix(f".{uuid.uuid4().hex[:8]}.partial")
    digest.frame.write_parquet(partial, compression="lz4", statistics=False)
    quarantined = quarantine_frame(digest.quarantine).to_arrow()
    try:
        conn.execute("BEGIN TRANSACTION")
        try:
            conn.execute(f"DELETE FROM {QUARANTINE_TABLE} WHERE data_month = ?", [month])
            conn.register("nps_month_quarantine", quarantined)
            conn.execute(f"INSERT INTO {QUARANTINE_TABLE} SELECT * FROM nps_month_quarantine")
            conn.unregister("nps_month_quarantine")
            conn.execute(
                f"INSERT OR REPLACE INTO {FILES_TABLE} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, current_timestamp)",
                [month, file_name, sha256, encoding, ",".join(digest.header), len(digest.header), digest.rows_read,
                 digest.frame.height, digest.duplicates_removed, len(digest.quarantine)],
            )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    ensure_silver(conn)
