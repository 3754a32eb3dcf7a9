"""The location's DuckDB record of logo updates: one row per company URL the finalize step wrote.

Table `<prefix>_logo_updates` (created idempotently): the company id and name, the URL written,
the PNG and WebP object keys, when the database was updated and in which run.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

COLUMNS = (
    ("company_id", "VARCHAR"),
    ("company_name", "VARCHAR"),
    ("url", "VARCHAR"),
    ("png_key", "VARCHAR"),
    ("webp_key", "VARCHAR"),
    ("updated_at", "TIMESTAMP"),
    ("run_id", "VARCHAR"),
)


def table_name(prefix: str) -> str:
    if not prefix.isidentifier():
        raise ValueError(f"prefix {prefix!r} is not an identifier")
    return f"{prefix}_logo_updates"


def ensure_table(conn: Any, prefix: str) -> str:
    name = table_name(prefix)
    columns = ", ".join(f"{column} {kind}" for column, kind in COLUMNS)
    conn.execute(f'CREATE TABLE IF NOT EXISTS "{name}" ({columns})')
    return name


def record(conn: Any, prefix: str, rows: Sequence[tuple[str, str, str, str, str]], run_id: str) -> int:
    """Appends (company_id, name, url, png_key, webp_key) rows in one transaction."""
    name = ensure_table(conn, prefix)
    if not rows:
        return 0
    now = datetime.now()
    conn.execute("BEGIN")
    try:
        conn.executemany(
            f'INSERT INTO "{name}" VALUES (?, ?, ?, ?, ?, ?, ?)', [(*row, now, run_id) for row in rows]
        )
        conn.execute("COMMIT")
    except Exception:
        conn.execute("ROLLBACK")
        raise
    return len(rows)
