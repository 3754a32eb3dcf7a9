"""Retention of the append-only `post_snapshots` table."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import psycopg


def delete_old_snapshots(conn: psycopg.Connection, days: int) -> tuple[int, int, datetime | None]:
    """Delete snapshots older than `days` days; returns (deleted, kept, oldest kept time)."""
    with conn.cursor() as cur:
        cur.execute(
            """DELETE FROM post_snapshots WHERE "timestamp" < now() - make_interval(days => %s)""", (days,)
        )
        deleted = max(cur.rowcount, 0)
    kept, oldest = conn.execute('SELECT count(*), min("timestamp") FROM post_snapshots').fetchone()
    return deleted, kept, oldest
