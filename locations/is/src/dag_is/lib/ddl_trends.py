"""The IS gold schema (legacy spec A7.1): trends, keyword trends, clusters, rotation and the two
materialized views the web layer reads, created idempotently.

Kept apart from `ddl.py` (the ingest tables) so the trend and cluster assets own their tables. The
legacy views were defined outside the package; here they are declared with the unique indexes
`REFRESH MATERIALIZED VIEW CONCURRENTLY` needs. `cluster_posts` has one row per post (a unique
`post_id`), so a post belongs to one current cluster (legacy defect A11-23).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import psycopg

# Serialises the first creation of these tables between concurrent gold runs.
DDL_LOCK_KEY = 0x15_7E_4D5

TABLES = (
    """CREATE TABLE IF NOT EXISTS post_trends (
        post_id text NOT NULL,
        window_start timestamptz NOT NULL,
        window_end timestamptz NOT NULL,
        view_delta integer NOT NULL,
        comment_delta integer NOT NULL,
        like_delta integer NOT NULL,
        dislike_delta integer NOT NULL,
        hot_score double precision NOT NULL,
        CONSTRAINT post_trends_post_id_window_key UNIQUE (post_id, window_start, window_end)
    )""",
    "CREATE INDEX IF NOT EXISTS post_trends_window_end_idx ON post_trends (window_end)",
    """CREATE TABLE IF NOT EXISTS keyword_trends (
        keyword text NOT NULL,
        range_label text NOT NULL,
        window_start timestamptz NOT NULL,
        window_end timestamptz NOT NULL,
        count integer NOT NULL,
        computed_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT keyword_trends_keyword_window_key UNIQUE (keyword, range_label, window_start, window_end)
    )""",
    "CREATE INDEX IF NOT EXISTS keyword_trends_window_end_idx ON keyword_trends (window_end)",
    """CREATE TABLE IF NOT EXISTS clusters (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        representative_post_id text NOT NULL,
        title text,
        size integer NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
    )""",
    """CREATE TABLE IF NOT EXISTS cluster_posts (
        cluster_id uuid NOT NULL REFERENCES clusters (id) ON DELETE CASCADE,
        post_id text NOT NULL,
        similarity double precision NOT NULL,
        match_type text NOT NULL,
        is_representative boolean NOT NULL DEFAULT false,
        CONSTRAINT cluster_posts_cluster_id_post_id_key UNIQUE (cluster_id, post_id),
        CONSTRAINT cluster_posts_post_id_key UNIQUE (post_id)
    )""",
    """CREATE TABLE IF NOT EXISTS cluster_trends (
        cluster_id uuid NOT NULL REFERENCES clusters (id) ON DELETE CASCADE,
        window_start timestamptz NOT NULL,
        window_end timestamptz NOT NULL,
        hot_score double precision NOT NULL,
        member_count integer NOT NULL,
        rank integer,
        CONSTRAINT cluster_trends_cluster_id_window_key UNIQUE (cluster_id, window_start, window_end)
    )""",
    "CREATE INDEX IF NOT EXISTS cluster_trends_window_end_idx ON cluster_trends (window_end)",
    """CREATE TABLE IF NOT EXISTS cluster_rotation (
        cluster_id uuid NOT NULL REFERENCES clusters (id) ON DELETE CASCADE,
        window_label text NOT NULL,
        consecutive_hits integer NOT NULL,
        last_shown_at timestamptz NOT NULL,
        suppressed_until timestamptz,
        last_score double precision NOT NULL,
        CONSTRAINT cluster_rotation_cluster_id_window_label_key UNIQUE (cluster_id, window_label)
    )""",
)

# The latest 10-minute window of every live post, with what the front page shows of the post.
MV_POST_TRENDS_30M = """CREATE MATERIALIZED VIEW IF NOT EXISTS mv_post_trends_30m AS
    SELECT t.post_id, p.site, p.board, p.title, p.url, p."timestamp" AS posted_at,
           t.window_start, t.window_end, t.view_delta, t.comment_delta, t.like_delta,
           t.dislike_delta, t.hot_score
    FROM post_trends t
    JOIN posts p ON p.id = t.post_id AND NOT p.is_deleted
    WHERE t.window_end = (SELECT max(window_end) FROM post_trends)"""

# Per post and range (3h, 6h, 24h, 1w) ending at the newest window: the totals over the 30-minute
# windows that tile the range (window ends 30, 60, … minutes before the newest end, so no change
# is counted twice), the peak 30-minute hot score and the number of windows seen.
MV_POST_TRENDS_AGG = """CREATE MATERIALIZED VIEW IF NOT EXISTS mv_post_trends_agg AS
    WITH latest AS (SELECT max(window_end) AS end_at FROM post_trends),
    ranges (range_label, span) AS (
        VALUES ('3h', interval '3 hours'), ('6h', interval '6 hours'),
               ('24h', interval '24 hours'), ('1w', interval '7 days')
    )
    SELECT t.post_id, r.range_label, l.end_at - r.span AS range_start, l.end_at AS range_end,
           sum(t.view_delta) FILTER (WHERE tiles) AS view_delta,
           sum(t.comment_delta) FILTER (WHERE tiles) AS comment_delta,
           sum(t.like_delta) FILTER (WHERE tiles) AS like_delta,
           sum(t.dislike_delta) FILTER (WHERE tiles) AS dislike_delta,
           coalesce(sum(t.hot_score) FILTER (WHERE tiles), 0) AS hot_score,
           max(t.hot_score) AS peak_hot_score,
           count(*) AS windows
    FROM latest l
    CROSS JOIN ranges r
    JOIN LATERAL (
        SELECT pt.*, (extract(epoch FROM l.end_at - pt.window_end)::bigint % 1800 = 0) AS tiles
        FROM post_trends pt
        WHERE pt.window_end > l.end_at - r.span AND pt.window_end <= l.end_at
    ) t ON true
    GROUP BY t.post_id, r.range_label, l.end_at, r.span"""

VIEWS = (
    MV_POST_TRENDS_30M,
    "CREATE UNIQUE INDEX IF NOT EXISTS mv_post_trends_30m_post_id_key ON mv_post_trends_30m (post_id)",
    MV_POST_TRENDS_AGG,
    (
        "CREATE UNIQUE INDEX IF NOT EXISTS mv_post_trends_agg_post_id_range_key "
        "ON mv_post_trends_agg (post_id, range_label)"
    ),
)

_CREATE = re.compile(r"CREATE TABLE IF NOT EXISTS (\w+) \((.*)\)\s*$", re.DOTALL)
_COLUMN = re.compile(r'^\s*"?(\w+)"?\s+(\w+(?: precision)?)')


def _columns() -> dict[str, list[tuple[str, str]]]:
    tables: dict[str, list[tuple[str, str]]] = {}
    for statement in TABLES:
        match = _CREATE.match(statement)
        if match is not None:
            tables[match[1]] = [
                (column[1], column[2])
                for line in match[2].split("\n")
                if (column := _COLUMN.match(line)) and column[1] not in ("CONSTRAINT", "PRIMARY", "UNIQUE")
            ]
    return tables


GOLD_TABLE_COLUMNS = _columns()


def ensure_gold_schema(conn: psycopg.Connection) -> None:
    """Create the ingest tables (when missing), the gold tables and the views; run in its own
    short transaction before the asset's work (the lock is held until that transaction ends)."""
    from dag_is.lib.ddl import ensure_schema
    from dag_is.lib.ingest import LOCK_KEY as INGEST_LOCK_KEY

    conn.execute("SELECT pg_advisory_xact_lock(%s)", (DDL_LOCK_KEY,))
    present = conn.execute(
        "SELECT to_regclass('posts') IS NOT NULL AND to_regclass('post_enrichment') IS NOT NULL "
        "AND to_regclass('post_signatures') IS NOT NULL"
    ).fetchone()[0]
    if not present:
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (INGEST_LOCK_KEY,))
        ensure_schema(conn)
    for statement in (*TABLES, *VIEWS):
        conn.execute(statement)
