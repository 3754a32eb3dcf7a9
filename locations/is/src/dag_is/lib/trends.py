"""Post, keyword and cluster trends at 10-minute buckets (legacy spec A9.4), set-based in Postgres.

- Post trends: for a bucket end E (a multiple of 10 minutes), the window is (E − 30 min, E] — the
  upper bound included, later snapshots excluded (legacy defect A11-26). Per post with snapshots in
  the window: latest minus earliest counts; a single snapshot gives zero deltas;
  `hot_score = Δview + 3·Δcomment + 2·Δlike`. A run computes the current bucket and catches up on
  buckets missed since the last stored one (at most a day), recomputing the last three buckets,
  whose windows a late ingest may still fill (a first run computes the last three too).
- Keyword trends: per range 3h, 6h, 24h, 1w ending at the current bucket, the number of live posts
  whose `timestamp` lies in the range and whose `post_enrichment.fused_keywords` carries the keyword
  (lowercased, trimmed; strings, or objects with a `keyword` field).
- Cluster trends: per cluster and post-trend window of the last hour, the sum of its current
  members' hot scores; the rotation reads them.

Every write changes only rows whose values differ, so a re-run on the same data writes nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import psycopg

BUCKET = timedelta(minutes=10)
WINDOW = timedelta(minutes=30)
MAX_CATCH_UP = timedelta(days=1)
RECOMPUTE = timedelta(minutes=20)
KEYWORD_RANGES = {
    "3h": timedelta(hours=3),
    "6h": timedelta(hours=6),
    "24h": timedelta(hours=24),
    "1w": timedelta(days=7),
}
CLUSTER_TREND_LOOKBACK = timedelta(hours=1)


def bucket_floor(now: datetime) -> datetime:
    """The 10-minute bucket end at or before `now` (a timezone-aware time), in UTC."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError(f"{now!r} has no time zone")
    seconds = int(now.timestamp()) // 600 * 600
    return datetime.fromtimestamp(seconds, UTC)


def buckets_to_compute(last_stored: datetime | None, current: datetime) -> list[datetime]:
    """Bucket ends from two before the last stored one (late snapshots) up to `current`; at least
    the current bucket and the two before it, so a first run and a re-run cover the same buckets."""
    start = current if last_stored is None or last_stored > current else last_stored
    first = max(min(start, current) - RECOMPUTE, current - MAX_CATCH_UP + BUCKET)
    ends = []
    end = current
    while end >= first:
        ends.append(end)
        end -= BUCKET
    return sorted(ends)


POST_TRENDS_SQL = """
    WITH buckets AS (SELECT unnest(%(ends)s::timestamptz[]) AS bucket_end),
    windowed AS (
        SELECT b.bucket_end, s.post_id,
               array_agg(ARRAY[coalesce(s.view_count, 0), coalesce(s.comment_count, 0),
                               coalesce(s.like_count, 0), coalesce(s.dislike_count, 0)]
                         ORDER BY s."timestamp") AS counts
        FROM buckets b
        JOIN post_snapshots s
          ON s."timestamp" > b.bucket_end - interval '30 minutes' AND s."timestamp" <= b.bucket_end
        GROUP BY b.bucket_end, s.post_id
    ),
    deltas AS (
        SELECT post_id, bucket_end - interval '30 minutes' AS window_start, bucket_end AS window_end,
               counts[array_length(counts, 1)][1] - counts[1][1] AS view_delta,
               counts[array_length(counts, 1)][2] - counts[1][2] AS comment_delta,
               counts[array_length(counts, 1)][3] - counts[1][3] AS like_delta,
               counts[array_length(counts, 1)][4] - counts[1][4] AS dislike_delta
        FROM windowed
    )
    INSERT INTO post_trends (post_id, window_start, window_end, view_delta, comment_delta, like_delta,
                             dislike_delta, hot_score)
    SELECT post_id, window_start, window_end, view_delta, comment_delta, like_delta, dislike_delta,
           view_delta + 3 * comment_delta + 2 * like_delta
    FROM deltas
    ON CONFLICT (post_id, window_start, window_end) DO UPDATE SET
        view_delta = EXCLUDED.view_delta, comment_delta = EXCLUDED.comment_delta,
        like_delta = EXCLUDED.like_delta, dislike_delta = EXCLUDED.dislike_delta,
        hot_score = EXCLUDED.hot_score
    WHERE (post_trends.view_delta, post_trends.comment_delta, post_trends.like_delta,
           post_trends.dislike_delta)
          IS DISTINCT FROM (EXCLUDED.view_delta, EXCLUDED.comment_delta, EXCLUDED.like_delta,
           EXCLUDED.dislike_delta)
"""


def compute_post_trends(conn: psycopg.Connection, now: datetime) -> tuple[list[datetime], int]:
    """Compute the buckets due at `now`; returns (bucket ends, rows inserted or changed)."""
    current = bucket_floor(now)
    last = conn.execute("SELECT max(window_end) FROM post_trends").fetchone()[0]
    ends = buckets_to_compute(last, current)
    written = conn.execute(POST_TRENDS_SQL, {"ends": ends})
    return ends, max(written.rowcount, 0)


KEYWORD_SQL = """
    WITH ranges (range_label, window_start, window_end) AS (
        SELECT * FROM unnest(%(labels)s::text[], %(starts)s::timestamptz[], %(ends)s::timestamptz[])
    ),
    keywords AS (
        SELECT DISTINCT p.id, p."timestamp",
               lower(btrim(CASE jsonb_typeof(k.value) WHEN 'string' THEN k.value #>> '{}'
                                ELSE k.value ->> 'keyword' END)) AS keyword
        FROM posts p
        JOIN post_enrichment e ON e.post_id = p.id AND jsonb_typeof(e.fused_keywords) = 'array'
        CROSS JOIN LATERAL jsonb_array_elements(e.fused_keywords) AS k(value)
        WHERE NOT p.is_deleted AND p."timestamp" > %(earliest)s AND p."timestamp" <= %(latest)s
    ),
    counted AS (
        SELECT k.keyword, r.range_label, r.window_start, r.window_end, count(DISTINCT k.id)::int AS count
        FROM keywords k
        JOIN ranges r ON k."timestamp" > r.window_start AND k."timestamp" <= r.window_end
        WHERE k.keyword IS NOT NULL AND k.keyword <> ''
        GROUP BY k.keyword, r.range_label, r.window_start, r.window_end
    ),
    gone AS (
        DELETE FROM keyword_trends t
        USING ranges r
        WHERE t.range_label = r.range_label AND t.window_start = r.window_start
          AND t.window_end = r.window_end
          AND NOT EXISTS (SELECT 1 FROM counted c WHERE c.keyword = t.keyword AND c.range_label = t.range_label)
        RETURNING 1
    ),
    written AS (
        INSERT INTO keyword_trends (keyword, range_label, window_start, window_end, count, computed_at)
        SELECT keyword, range_label, window_start, window_end, count, %(computed_at)s FROM counted
        ON CONFLICT (keyword, range_label, window_start, window_end) DO UPDATE SET
            count = EXCLUDED.count, computed_at = EXCLUDED.computed_at
        WHERE keyword_trends.count <> EXCLUDED.count
        RETURNING 1
    )
    SELECT (SELECT count(*) FROM written), (SELECT count(*) FROM gone), (SELECT count(*) FROM counted)
"""


def compute_keyword_trends(conn: psycopg.Connection, now: datetime) -> tuple[datetime, int, int, int]:
    """Keyword counts of the four ranges ending at the current bucket.

    Returns (bucket end, rows written, rows removed, keyword rows of this bucket)."""
    end = bucket_floor(now)
    labels = list(KEYWORD_RANGES)
    starts = [end - KEYWORD_RANGES[label] for label in labels]
    written, removed, total = conn.execute(
        KEYWORD_SQL,
        {
            "labels": labels,
            "starts": starts,
            "ends": [end] * len(labels),
            "earliest": min(starts),
            "latest": end,
            "computed_at": now,
        },
    ).fetchone()
    return end, written, removed, total


CLUSTER_TRENDS_SQL = """
    WITH windows AS (
        SELECT DISTINCT window_start, window_end FROM post_trends
        WHERE window_end > %(since)s AND window_end <= %(until)s
    ),
    sums AS (
        SELECT cp.cluster_id, w.window_start, w.window_end,
               coalesce(sum(t.hot_score), 0) AS hot_score, count(t.post_id)::int AS member_count
        FROM windows w
        CROSS JOIN cluster_posts cp
        LEFT JOIN post_trends t ON t.post_id = cp.post_id AND t.window_start = w.window_start
                                AND t.window_end = w.window_end
        GROUP BY cp.cluster_id, w.window_start, w.window_end
        HAVING count(t.post_id) > 0
    )
    INSERT INTO cluster_trends (cluster_id, window_start, window_end, hot_score, member_count)
    SELECT cluster_id, window_start, window_end, hot_score, member_count FROM sums
    ON CONFLICT (cluster_id, window_start, window_end) DO UPDATE SET
        hot_score = EXCLUDED.hot_score, member_count = EXCLUDED.member_count
    WHERE (cluster_trends.hot_score, cluster_trends.member_count)
          IS DISTINCT FROM (EXCLUDED.hot_score, EXCLUDED.member_count)
"""


def compute_cluster_trends(conn: psycopg.Connection, now: datetime) -> int:
    """Cluster hot scores for the post-trend windows of the last hour; rows inserted or changed."""
    end = bucket_floor(now)
    result = conn.execute(CLUSTER_TRENDS_SQL, {"since": end - CLUSTER_TREND_LOOKBACK, "until": end})
    return max(result.rowcount, 0)


RETAINED = {"post_trends": "window_end", "keyword_trends": "window_end", "cluster_trends": "window_end"}


def delete_old_trends(conn: psycopg.Connection, now: datetime, days: int) -> dict[str, int]:
    """Delete trend rows whose window ended more than `days` days before `now`."""
    cutoff = now - timedelta(days=days)
    deleted = {}
    for table, column in RETAINED.items():
        result = conn.execute(f"DELETE FROM {table} WHERE {column} < %s", (cutoff,))
        deleted[table] = max(result.rowcount, 0)
    return deleted


def refresh_view(conn: psycopg.Connection, view: str) -> None:
    """REFRESH … CONCURRENTLY: readers keep the previous rows during the refresh."""
    from psycopg import sql

    if view not in ("mv_post_trends_30m", "mv_post_trends_agg"):
        raise ValueError(f"unknown materialized view {view!r}")
    conn.execute(sql.SQL("REFRESH MATERIALIZED VIEW CONCURRENTLY {}").format(sql.Identifier(view)))
