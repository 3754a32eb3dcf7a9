"""SQL of the SS pipeline steps: replace a crawl file's staging rows, upsert deals, aggregate.

Every function works on an open connection inside the caller's transaction, so a step's writes
land together or not at all.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from dag_shared.resources.postgres import copy_rows

from dag_ss.lib.schema import STAGING_TABLES

DEAL_COLUMNS = (
    "deal_hash", "post_id", "url", "source_posted_at", "model", "capacity", "carrier", "move_type",
    "contract", "payment", "channel", "city", "upfront", "plan_high_fee", "plan_high_months",
    "plan_after_fee", "plan_after_months", "mvno_tail_fee", "mvno_tail_months", "addons_monthly",
    "addons_months", "addons_count", "device_finance_total", "device_finance_months",
    "device_finance_monthly", "support_cash", "retention_line_months", "retention_plan_months",
    "retention_addons_months", "contract_type", "contract_months", "contract_extra_support",
    "contract_support_amount", "addons_detail", "store", "advertorial_score", "flags", "extraction",
    "tco_total", "tco_net",
)  # fmt: skip
_JSON_COLUMNS = {"addons_detail", "flags", "comments", "op_comment_texts", "deal"}
UPSERT_PAGE = 500


def _cell(column: str, value: Any) -> Any:
    if column in _JSON_COLUMNS and value is not None:
        return json.dumps(value, ensure_ascii=False, default=str)
    return value


def _param(column: str, value: Any) -> Any:
    from psycopg.types.json import Jsonb

    return Jsonb(value) if column in _JSON_COLUMNS and value is not None else value


def replace_partition(conn, table: str, crawl_file: str, columns: Sequence[str], rows: Sequence[dict]) -> int:
    """Delete the crawl file's rows from a staging table and COPY the new ones."""
    if table not in STAGING_TABLES:
        raise ValueError(f"{table!r} is not a staging table")
    conn.execute(f"DELETE FROM {table} WHERE crawl_file = %s", (crawl_file,))
    payload = ([crawl_file, *(_cell(c, row.get(c)) for c in columns)] for row in rows)
    return copy_rows(conn, table, ["crawl_file", *columns], payload)


def read_partition(conn, table: str, crawl_file: str, order_by: str = "post_id") -> list[dict[str, Any]]:
    if table not in STAGING_TABLES:
        raise ValueError(f"{table!r} is not a staging table")
    with conn.cursor() as cur:
        cur.execute(f"SELECT * FROM {table} WHERE crawl_file = %s ORDER BY {order_by}", (crawl_file,))
        names = [d.name for d in cur.description]
        return [dict(zip(names, row)) for row in cur.fetchall()]


def upsert_deals(conn, records: Sequence[dict[str, Any]]) -> int:
    """Insert or update deals on `deal_hash` in pages; unchanged rows are not touched (ids and
    parsed_at stay). Returns the rows inserted or changed."""
    columns = ", ".join(DEAL_COLUMNS)
    updated = [c for c in DEAL_COLUMNS if c != "deal_hash"]
    statement = (
        f"INSERT INTO deals ({columns}) VALUES ({', '.join(['%s'] * len(DEAL_COLUMNS))}) "
        f"ON CONFLICT (deal_hash) DO UPDATE SET {', '.join(f'{c} = EXCLUDED.{c}' for c in updated)} "
        f"WHERE ({', '.join(f'deals.{c}' for c in updated)}) "
        f"IS DISTINCT FROM ({', '.join(f'EXCLUDED.{c}' for c in updated)})"
    )
    changed = 0
    records = sorted(records, key=lambda r: r["deal_hash"])  # one lock order for concurrent runs
    with conn.cursor() as cur:
        for start in range(0, len(records), UPSERT_PAGE):
            page = [[_param(c, r.get(c)) for c in DEAL_COLUMNS] for r in records[start : start + UPSERT_PAGE]]
            cur.executemany(statement, page)
            changed += max(cur.rowcount, 0)
    return changed


AGGREGATE_SQL = """
WITH history AS (
    SELECT model, source_posted_at, tco_total,
           CASE WHEN capacity ~ '^[0-9]+TB$' THEN split_part(capacity, 'T', 1)::int * 1024
                WHEN capacity ~ '^[0-9]+GB$' THEN split_part(capacity, 'G', 1)::int END AS gb
    FROM deals
),
smallest AS (SELECT model, MIN(gb) AS gb FROM history GROUP BY model),
window_deals AS (
    SELECT h.model, h.source_posted_at AS ts, h.tco_total, COALESCE(h.gb, s.gb) AS gb
    FROM history h JOIN smallest s USING (model)
    WHERE h.tco_total IS NOT NULL AND h.source_posted_at BETWEEN %(start)s AND %(end)s
)
INSERT INTO aggregates_daily (model, capacity, ts, min, p25, median, p75, max, avg, n)
SELECT model,
       CASE WHEN gb IS NULL THEN '미상'
            WHEN gb >= 1024 AND gb %% 1024 = 0 THEN (gb / 1024) || 'TB'
            ELSE gb || 'GB' END AS capacity,
       ts,
       MIN(tco_total),
       PERCENTILE_CONT(0.25) WITHIN GROUP (ORDER BY tco_total)::int,
       PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY tco_total)::int,
       PERCENTILE_CONT(0.75) WITHIN GROUP (ORDER BY tco_total)::int,
       MAX(tco_total),
       AVG(tco_total)::int,
       COUNT(*)
FROM window_deals
GROUP BY 1, 2, 3
"""
WINDOW_DAYS = 7


def refresh_aggregates(conn, end: date) -> int:
    """Recompute the per-day statistics of the 7 days ending at `end` (inclusive) from `deals`."""
    start = end - timedelta(days=WINDOW_DAYS - 1)
    # Runs of several crawl files may refresh overlapping windows at once: one at a time.
    conn.execute("SELECT pg_advisory_xact_lock(hashtext('dag_ss.aggregates_daily'))")
    conn.execute("DELETE FROM aggregates_daily WHERE ts BETWEEN %s AND %s", (start, end))
    cur = conn.execute(AGGREGATE_SQL, {"start": start, "end": end})
    return cur.rowcount


def record_crawl_file(conn, crawl_file: str, sha256: str, crawled_at, posts: int) -> None:
    """Register the file as loaded; a changed file is marked unprocessed until its run completes."""
    conn.execute(
        """INSERT INTO crawl_files (crawl_file, file_sha256, crawled_at, posts) VALUES (%s, %s, %s, %s)
        ON CONFLICT (crawl_file) DO UPDATE SET file_sha256 = EXCLUDED.file_sha256,
            crawled_at = EXCLUDED.crawled_at, posts = EXCLUDED.posts, deals = NULL, quarantined = NULL,
            processed_at = NULL
        WHERE crawl_files.file_sha256 IS DISTINCT FROM EXCLUDED.file_sha256""",
        (crawl_file, sha256, crawled_at, posts),
    )


def mark_processed(conn, crawl_file: str, deals: int, quarantined: int) -> None:
    """Record the file's outcome; processed_at is set once per file content."""
    conn.execute(
        """UPDATE crawl_files SET deals = %s, quarantined = %s, processed_at = COALESCE(processed_at, NOW())
        WHERE crawl_file = %s""",
        (deals, quarantined, crawl_file),
    )


def crawl_file_facts(conn, crawl_file: str):
    """(crawled_at, newest post time) of a loaded crawl file."""
    return conn.execute(
        """SELECT (SELECT crawled_at FROM crawl_files WHERE crawl_file = %(f)s),
                  (SELECT max(posted_at) FROM raw_posts WHERE crawl_file = %(f)s)""",
        {"f": crawl_file},
    ).fetchone()
