"""The download ledger: one DuckDB row per release attempt outcome (valid or quarantined).

It is what makes the download idempotent (a release already landed with the same content is not
landed again) and what maps a data month to its file for the digest. A file is identified by its
SHA-256, not its name and size: a corrected file re-published under a known name is landed again,
and its row keeps the hash it replaced in `replaced_sha256`. Writes fail loudly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

LEDGER_TABLE = "nps_download_ledger"

# The one declaration of the ledger's columns: (name, DuckDB type, constraint). The DDL, the
# columns written and the asset's `dagster/column_schema` are all derived from it.
LEDGER_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("release_key", "VARCHAR", "PRIMARY KEY"),
    ("title", "VARCHAR", "NOT NULL"),
    ("release_date", "DATE", ""),
    ("special_version", "VARCHAR", ""),
    ("source", "VARCHAR", "NOT NULL"),
    ("file_path", "VARCHAR", "NOT NULL"),
    ("size_bytes", "BIGINT", "NOT NULL"),
    ("sha256", "VARCHAR", "NOT NULL"),
    ("source_encoding", "VARCHAR", "NOT NULL"),
    ("data_month", "VARCHAR", ""),
    ("status", "VARCHAR", "NOT NULL"),
    ("reason", "VARCHAR", "NOT NULL"),
    ("recorded_at", "TIMESTAMP", "NOT NULL DEFAULT current_timestamp"),
)
# Added after the first release (ALTER TABLE, so older ledgers gain them): the content hash a
# re-landed file replaced (NULL: first landing or same content).
LEDGER_ADDED_FIELDS: tuple[tuple[str, str], ...] = (("replaced_sha256", "VARCHAR"),)

LEDGER_SCHEMA: dict[str, str] = {
    **{name: kind for name, kind, _ in LEDGER_FIELDS},
    **dict(LEDGER_ADDED_FIELDS),
}

LEDGER_DDL = (
    f"CREATE TABLE IF NOT EXISTS {LEDGER_TABLE} (\n"
    + ",\n".join(f"    {name} {kind} {constraint}".rstrip() for name, kind, constraint in LEDGER_FIELDS)
    + "\n)"
)
LEDGER_MIGRATIONS = tuple(
    f"ALTER TABLE {LEDGER_TABLE} ADD COLUMN IF NOT EXISTS {name} {kind}" for name, kind in LEDGER_ADDED_FIELDS
)

# Every column a ledger row sets (recorded_at is the database's).
LEDGER_COLUMNS = tuple(name for name in LEDGER_SCHEMA if name != "recorded_at")


@dataclass(frozen=True)
class LedgerEntry:
    release_key: str
    title: str
    release_date: str | None  # YYYY-MM-DD
    special_version: str | None
    source: str
    file_path: str
    size_bytes: int
    sha256: str
    source_encoding: str
    data_month: str | None
    status: str  # valid | quarantined
    reason: str
    replaced_sha256: str | None = None  # the different content landed earlier under this name


def ensure_ledger(conn: Any) -> None:
    conn.execute(LEDGER_DDL)
    for statement in LEDGER_MIGRATIONS:
        conn.execute(statement)


def record(conn: Any, entry: LedgerEntry) -> None:
    """Insert or replace the ledger row of one release."""
    values = [getattr(entry, name) for name in LEDGER_COLUMNS]
    params = ", ".join("?" for _ in LEDGER_COLUMNS)
    updates = ", ".join(f"{name} = excluded.{name}" for name in LEDGER_COLUMNS[1:])
    conn.execute(
        f"INSERT INTO {LEDGER_TABLE} ({', '.join(LEDGER_COLUMNS)}) VALUES ({params}) "
        f"ON CONFLICT (release_key) DO UPDATE SET {updates}, recorded_at = now()",
        values,
    )


def entries(conn: Any) -> dict[str, LedgerEntry]:
    rows = conn.execute(f"SELECT {', '.join(LEDGER_COLUMNS)} FROM {LEDGER_TABLE}").fetchall()
    result = {}
    for row in rows:
        data = dict(zip(LEDGER_COLUMNS, row))
        data["release_date"] = str(data["release_date"]) if data["release_date"] is not None else None
        result[data["release_key"]] = LedgerEntry(**data)
    return result


def file_for_month(conn: Any, month: str) -> LedgerEntry | None:
    """The valid file of a data month; the latest release wins (a corrected re-upload)."""
    valid = [e for e in entries(conn).values() if e.status == "valid" and e.data_month == month]
    return max(valid, key=lambda e: (e.release_date or "", e.release_key), default=None)
