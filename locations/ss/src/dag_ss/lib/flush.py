"""Emptying every SS table (the dangerous maintenance operation behind `ss_flush_all`)."""

from __future__ import annotations

from dag_ss.lib.dictionary import DICTIONARY_TABLES
from dag_ss.lib.schema import SERVED_TABLES, STAGING_TABLES

FLUSHED_TABLES = (*SERVED_TABLES, *STAGING_TABLES, *DICTIONARY_TABLES)


def flush_all(conn) -> dict[str, int]:
    """Rows each existing table held; all of them are truncated in the caller's transaction."""
    existing = [
        t for t in FLUSHED_TABLES if conn.execute("SELECT to_regclass(%s) IS NOT NULL", (t,)).fetchone()[0]
    ]
    counts = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in existing}
    if existing:
        conn.execute(f"TRUNCATE {', '.join(existing)} RESTART IDENTITY")
    return counts
