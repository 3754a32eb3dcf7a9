"""Re-validation of a month's landed files against the download ledger (`nps_file_integrity_check`).

Each valid ledger file of the month must still exist, still have the SHA-256 the ledger recorded
and still pass the full validation. The results replace the month's rows of
`nps_file_metadata_integrity` in one DuckDB transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dag_nps.lib.ledger import LedgerEntry, ensure_ledger, entries
from dag_nps.lib.validate import check_file

INTEGRITY_TABLE = "nps_file_metadata_integrity"
# The one declaration of the table: its DDL and the asset's column schema derive from it.
INTEGRITY_SCHEMA = {
    "data_month": "VARCHAR", "release_key": "VARCHAR", "file_path": "VARCHAR", "is_valid": "BOOLEAN",
    "reason": "VARCHAR", "size_bytes": "BIGINT", "sha256": "VARCHAR", "checked_at": "TIMESTAMP",
}  # fmt: skip


@dataclass(frozen=True)
class FileIntegrity:
    entry: LedgerEntry
    ok: bool
    reason: str
    size_bytes: int
    sha256: str


def month_files(conn: Any, month: str) -> list[LedgerEntry]:
    """The valid ledger files of a data month."""
    ensure_ledger(conn)
    return [e for e in entries(conn).values() if e.data_month == month and e.status == "valid"]


def check_files(files: list[LedgerEntry], min_bytes: int) -> list[FileIntegrity]:
    """Re-check each file on disk: present, same SHA-256 as the ledger row, still valid."""
    results = []
    for entry in files:
        path = Path(entry.file_path)
        if not path.is_file():
            results.append(FileIntegrity(entry, False, "file_not_found", 0, ""))
            continue
        check = check_file(path, min_bytes)
        reason = check.reason
        if check.ok and check.sha256 != entry.sha256:
            reason = f"sha256 changed since download ({entry.sha256[:12]}… → {check.sha256[:12]}…)"
        results.append(
            FileIntegrity(entry, check.ok and reason == "valid", reason, check.size_bytes, check.sha256)
        )
    return results


def record_results(conn: Any, month: str, results: list[FileIntegrity]) -> None:
    """Replace the month's rows of the integrity table with `results` (one transaction)."""
    conn.execute(
        f"CREATE TABLE IF NOT EXISTS {INTEGRITY_TABLE} ("
        + ", ".join(f"{n} {t}" for n, t in INTEGRITY_SCHEMA.items())
        + ")"
    )
    conn.execute("BEGIN TRANSACTION")
    try:
        conn.execute(f"DELETE FROM {INTEGRITY_TABLE} WHERE data_month = ?", [month])
        for result in results:
            conn.execute(
                f"INSERT INTO {INTEGRITY_TABLE} VALUES (?, ?, ?, ?, ?, ?, ?, current_timestamp)",
                [month, result.entry.release_key, result.entry.file_path, result.ok, result.reason,
                 result.size_bytes, result.sha256],
            )  # fmt: skip
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def already_intact(conn: Any, month: str) -> int | None:
    """The number of the month's files when every one was last checked valid with the SHA-256 the
    ledger holds now (nothing to re-check); None when a file is new, changed, bad or unchecked."""
    files = month_files(conn, month)
    exists = conn.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [INTEGRITY_TABLE]
    ).fetchone()[0]
    if not files or not exists:
        return None
    checked = dict(
        conn.execute(
            f"SELECT release_key, sha256 FROM {INTEGRITY_TABLE} WHERE data_month = ? AND is_valid", [month]
        ).fetchall()
    )
    return len(files) if all(checked.get(e.release_key) == e.sha256 for e in files) else None
