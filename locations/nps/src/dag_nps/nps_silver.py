"""The silver DuckDB tables: typed rows per month, quarantined records and per-file statistics."""

from __future__ import annotations

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
    f"CREATE TABLE IF NOT EXISTS {SILVER_TABLE} (source_line BIGINT NOT NULL, "
    + ", ".join(f"{c.name} {duck_type(c.kind)}{' NOT NULL' if 'NOT NULL' in c.pg_type else ''}" for c in COLUMNS)
    + ")",
    f"""CREATE TABLE IF NOT EXISTS {QUARANTINE_TABLE} (
        data_month VARCHAR NOT NULL, file VARCHAR NOT NULL, line BIGINT NOT NULL,
        reason VARCHAR NOT NULL, raw VARCHAR)""",
    f"""CREATE TABLE IF NOT EXISTS {FILES_TABLE} (
        data_month VARCHAR PRIMARY KEY, file VARCHAR NOT NULL, sha256 VARCHAR NOT NULL,
        source_encoding VARCHAR NOT NULL, header VARCHAR NOT NULL, columns INTEGER NOT NULL,
        rows_read BIGINT NOT NULL, rows_kept BIGINT NOT NULL, duplicates_removed BIGINT NOT NULL,
        rows_quarantined BIGINT NOT NULL, digested_at TIMESTAMP NOT NULL DEFAULT current_timestamp)""",
)


def ensure_silver(conn: Any) -> None:
    for statement in DDL:
        conn.execute(statement)


def replace_month(conn: Any, month: str, digest: Any, file_name: str, sha256: str, encoding: str) -> None:
    """Replace the month's silver rows, quarantine and statistics in one DuckDB transaction."""
    from dag_nps.nps_digest import quarantine_frame

    frame = digest.frame.to_arrow()
    quarantined = quarantine_frame(digest.quarantine).to_arrow()
    conn.execute("BEGIN TRANSACTION")
    try:
        conn.execute(f"DELETE FROM {SILVER_TABLE} WHERE data_created_ym = CAST(? AS DATE)", [f"{month}-01"])
        conn.register("nps_month_frame", frame)
        conn.execute(f"INSERT INTO {SILVER_TABLE} SELECT * FROM nps_month_frame")
        conn.unregister("nps_month_frame")
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
