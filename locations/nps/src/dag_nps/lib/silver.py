"""The silver layer in the location's DuckDB file: typed rows, quarantined records, file statistics.

`nps_pension_silver` holds every digested month, one row per kept source record. A month is
replaced in one DuckDB transaction together with its quarantine rows and file statistics, so
a failed digest leaves the previous month as it was and a re-run never duplicates a row.
"""

from __future__ import annotations

from typing import Any

from dag_nps.lib.columns import COLUMNS

SILVER_TABLE = "nps_pension_silver"
QUARANTINE_TABLE = "nps_digest_quarantine"
FILES_TABLE = "nps_digest_files"

_DUCK_TYPES = {"month": "DATE", "date": "DATE", "int": "INTEGER", "bigint": "BIGINT"}


def duck_type(kind: str) -> str:
    return _DUCK_TYPES.get(kind, "VARCHAR")


# (name, DuckDB type, description) of the silver table, in order: the asset's column schema.
SILVER_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("source_line", "BIGINT", "line of the record in the source file"),
    *((c.name, duck_type(c.kind), f"{c.header}: {c.description}") for c in COLUMNS),
)

DDL = (
    f"CREATE TABLE IF NOT EXISTS {SILVER_TABLE} (\n    source_line BIGINT NOT NULL,\n"
    + ",\n".join(
        f"    {c.name} {duck_type(c.kind)}{' NOT NULL' if c.kind in ('month', 'name') else ''}"
        for c in COLUMNS
    )
    + "\n)",
    f"""CREATE TABLE IF NOT EXISTS {QUARANTINE_TABLE} (
        data_month VARCHAR NOT NULL, file VARCHAR NOT NULL, line BIGINT NOT NULL,
        reason VARCHAR NOT NULL, raw VARCHAR)""",
    f"""CREATE TABLE IF NOT EXISTS {FILES_TABLE} (
        data_month VARCHAR PRIMARY KEY, file VARCHAR NOT NULL, sha256 VARCHAR NOT NULL,
        source_encoding VARCHAR NOT NULL, header VARCHAR NOT NULL, columns INTEGER NOT NULL,
        rows_read BIGINT NOT NULL, rows_kept BIGINT NOT NULL, duplicates_removed BIGINT NOT NULL,
        rows_quarantined BIGINT NOT NULL, digested_at TIMESTAMP NOT NULL DEFAULT current_timestamp)""",
    # the operator confirmed that the month's drop in rows is real (added after the first release)
    f"ALTER TABLE {FILES_TABLE} ADD COLUMN IF NOT EXISTS shrink_confirmed BOOLEAN DEFAULT false",
)
_FILES_COLUMNS = (
    "data_month",
    "file",
    "sha256",
    "source_encoding",
    "header",
    "columns",
    "rows_read",
    "rows_kept",
    "duplicates_removed",
    "rows_quarantined",
    "shrink_confirmed",
)


def ensure_silver(conn: Any) -> None:
    """Create the silver, quarantine and statistics tables.

    Data directories of the first release kept silver months as Parquet files behind a view of
    the same name; the view is dropped so the table can take its place (re-digest those months).
    """
    if _silver_kind(conn) == "VIEW":
        conn.execute(f"DROP VIEW {SILVER_TABLE}")
    for statement in DDL:
        conn.execute(statement)


def silver_month_counts(conn: Any) -> dict[str, int]:
    """Rows per data month (YYYY-MM) in silver; empty when nothing was digested yet."""
    if not silver_exists(conn):
        return {}
    return dict(
        conn.execute(
            f"SELECT strftime(data_created_ym, '%Y-%m'), count(*) FROM {SILVER_TABLE} GROUP BY 1"
        ).fetchall()
    )


def table_exists(conn: Any, name: str) -> bool:
    """Whether the DuckDB file has a table (or view) of that name."""
    query = "SELECT count(*) FROM information_schema.tables WHERE table_name = ?"
    return conn.execute(query, [name]).fetchone()[0] > 0


def loaded_month_counts(conn: Any) -> dict[str, int]:
    """Rows kept per digested month, from the statistics table (no scan of the silver rows)."""
    if not table_exists(conn, FILES_TABLE):
        return {}
    return dict(conn.execute(f"SELECT data_month, rows_kept FROM {FILES_TABLE}").fetchall())


def digest_stats(conn: Any, month: str) -> dict[str, Any] | None:
    """The month's row of the statistics table (file, rows read/kept/quarantined, shrink_confirmed)."""
    cursor = conn.execute(
        f"SELECT * FROM {FILES_TABLE} WHERE data_month = ?", [month]
    )  # * : older tables lack a column
    found = cursor.fetchall()
    return dict(zip([column[0] for column in cursor.description], found[0])) if found else None


def digested_sha256(conn: Any, month: str) -> str | None:
    """The SHA-256 of the file the month was last digested from (None: not digested)."""
    if not table_exists(conn, FILES_TABLE):
        return None
    found = conn.execute(f"SELECT sha256 FROM {FILES_TABLE} WHERE data_month = ?", [month]).fetchall()
    return found[0][0] if found else None


def _silver_kind(conn: Any) -> str | None:
    """'BASE TABLE', 'VIEW' (the first release's layout) or None when there is no silver yet."""
    found = conn.execute(  # fetchall: a result left open would block the next conn.sql()
        "SELECT table_type FROM information_schema.tables WHERE table_name = ?", [SILVER_TABLE]
    ).fetchall()
    return found[0][0] if found else None


def silver_exists(conn: Any) -> bool:
    return _silver_kind(conn) == "BASE TABLE"


def read_month(conn: Any, month: str) -> Any:
    """The month's silver rows as a polars frame in source order (`source_line` first)."""
    import polars as pl

    if not silver_exists(conn):
        raise LookupError(f"no silver table {SILVER_TABLE}: materialize nps_his_digest for {month} first")
    query = f"SELECT * FROM {SILVER_TABLE} WHERE data_created_ym = ?::DATE"
    frame = pl.from_arrow(conn.sql(query, params=[f"{month}-01"]).to_arrow_table())
    if frame.height == 0:
        raise LookupError(
            f"{SILVER_TABLE} has no rows for {month}: materialize nps_his_digest for {month} first"
        )
    return frame if frame.get_column("source_line").is_sorted() else frame.sort("source_line")


def replace_month(
    conn: Any,
    month: str,
    digest: Any,
    file_name: str,
    sha256: str,
    encoding: str,
    shrink_confirmed: bool = False,
) -> None:
    """Replace the month's rows, quarantine and statistics in one transaction.

    Callers run the guards of `load_guard` first; this only swaps.
    """
    import pyarrow as pa

    from dag_nps.lib.digest import quarantine_frame

    rows = pa.table(digest.frame)  # through the Arrow stream interface: no copy, one chunk per column
    quarantined = quarantine_frame(digest.quarantine).to_arrow()
    conn.execute("BEGIN TRANSACTION")
    try:
        conn.execute(f"DELETE FROM {SILVER_TABLE} WHERE data_created_ym = ?::DATE", [f"{month}-01"])
        conn.register("nps_month_rows", rows)
        conn.execute(f"INSERT INTO {SILVER_TABLE} SELECT * FROM nps_month_rows")
        conn.execute(f"DELETE FROM {QUARANTINE_TABLE} WHERE data_month = ?", [month])
        conn.register("nps_month_quarantine", quarantined)
        conn.execute(f"INSERT INTO {QUARANTINE_TABLE} SELECT * FROM nps_month_quarantine")
        conn.execute(
            f"INSERT OR REPLACE INTO {FILES_TABLE} ({', '.join(_FILES_COLUMNS)}, digested_at) "
            f"VALUES ({', '.join('?' for _ in _FILES_COLUMNS)}, current_timestamp)",
            [
                month,
                file_name,
                sha256,
                encoding,
                ",".join(digest.header),
                len(digest.header),
                digest.rows_read,
                digest.frame.height,
                digest.duplicates_removed,
                len(digest.quarantine),
                shrink_confirmed,
            ],
        )
        conn.execute("COMMIT")
    except BaseException:
        _rollback(conn)
        raise
    finally:
        for name in ("nps_month_rows", "nps_month_quarantine"):
            conn.unregister(name)


def _rollback(conn: Any) -> None:
    """Roll back unless DuckDB already did: a COMMIT that failed writing (a full disk) ends the
    transaction itself, and a failing ROLLBACK must not hide the error that says why."""
    import duckdb

    try:
        conn.execute("ROLLBACK")
    except duckdb.TransactionException:
        pass
