"""Benchmark: IS post trends over a day of snapshots for 10,000 posts vs a naive per-post baseline.

Run in the is environment: `cd locations/is && ../../scripts/uv.sh run --frozen python ../../bench/bench_is_trends.py`
[--posts 10000] [--baseline-posts 1000]. Uses DAG_TEST_POSTGRES_URL's server when set, else an
embedded PostgreSQL.

Data (not timed): `--posts` posts with one snapshot per 10-minute crawl over a day (144 each, at a
per-post offset inside the crawl interval; views, comments and likes growing at per-post rates),
COPied into `post_snapshots` in crawl order, as the ingest appends them.

New, timed: `dag_is.lib.trends` set-based SQL — (1) one 10-minute tick on the full day of snapshots
(the current bucket and the two before it), (2) the whole day caught up (144 buckets in one
statement), (3) the same tick again (writes nothing).
Baseline, same run: the naive approach — per post, one query for its snapshots in the window, the
deltas in Python, one INSERT … ON CONFLICT per row — for one bucket over `--baseline-posts` posts,
extrapolated linearly to `--posts` posts (its work is one query and one insert per post and bucket).
Compared per bucket.
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import UTC, datetime, timedelta

NOW = datetime(2026, 11, 29, 6, 0, tzinfo=UTC)


def load(url: str, posts: int) -> int:
    import psycopg
    from dag_is.lib.ddl_trends import ensure_gold_schema

    rng = random.Random(3)
    start = NOW - timedelta(days=1)
    rows = 0
    with psycopg.connect(url) as conn:
        ensure_gold_schema(conn)
        with conn.cursor().copy(
            'COPY post_snapshots (post_id, "timestamp", view_count, like_count, dislike_count, comment_count) FROM STDIN'
        ) as copy:
            # in crawl order, as the ingest appends them (each crawl adds a row for every post)
            rates = [
                (
                    timedelta(seconds=rng.randrange(600)),
                    rng.uniform(0, 50),
                    rng.uniform(0, 3),
                    rng.uniform(0, 2),
                )
                for _ in range(posts)
            ]
            for k in range(144):
                for p, (offset, views, likes, comments) in enumerate(rates):
                    at = start + timedelta(minutes=10 * k) + offset
                    copy.write_row((f"p{p:06}", at, int(views * k), int(likes * k), 0, int(comments * k)))
                    rows += 1
        conn.execute("ANALYZE post_snapshots")
    return rows


def baseline(url: str, posts: int, bucket_end: datetime) -> float:
    import psycopg

    start = time.perf_counter()
    with psycopg.connect(url) as conn:
        for p in range(posts):
            snaps = conn.execute(
                "SELECT view_count, comment_count, like_count, dislike_count FROM post_snapshots "
                'WHERE post_id = %s AND "timestamp" > %s AND "timestamp" <= %s ORDER BY "timestamp"',
                (f"p{p:06}", bucket_end - timedelta(minutes=30), bucket_end),
            ).fetchall()
            if not snaps:
                continue
            dv, dc, dl, dd = (snaps[-1][i] - snaps[0][i] for i in range(4))
            conn.execute(
                "INSERT INTO post_trends VALUES (%s, %s, %s, %s, %s, %s, %s, %s) "
                "ON CONFLICT (post_id, window_start, window_end) DO UPDATE SET hot_score = EXCLUDED.hot_score",
                (
                    f"p{p:06}",
                    bucket_end - timedelta(minutes=30),
                    bucket_end,
                    dv,
                    dc,
                    dl,
                    dd,
                    dv + 3 * dc + 2 * dl,
                ),
            )
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--baseline-posts", type=int, default=1_000)
    args = parser.parse_args()
    import psycopg
    from dag_is.lib.trends import BUCKET, POST_TRENDS_SQL, compute_post_trends
    from is_bench_env import scratch_databases

    with scratch_databases(2) as (url, base_url):
        snapshots = load(url, args.posts)
        with psycopg.connect(url, autocommit=True) as conn:
            start = time.perf_counter()
            with conn.transaction():
                ends, tick_rows = compute_post_trends(conn, NOW)
            tick = time.perf_counter() - start
            day_ends = [NOW - BUCKET * k for k in range(143, -1, -1)]
            start = time.perf_counter()
            with conn.transaction():
                day_rows = conn.execute(POST_TRENDS_SQL, {"ends": day_ends}).rowcount
            day = time.perf_counter() - start
            start = time.perf_counter()
            with conn.transaction():
                _, again_rows = compute_post_trends(conn, NOW)
            again = time.perf_counter() - start
        load(base_url, args.baseline_posts)
        base = baseline(base_url, args.baseline_posts, NOW)
    base_bucket = base * args.posts / args.baseline_posts
    print(f"snapshots: {snapshots:,} ({args.posts:,} posts × 144 crawls over a day)")
    print(
        f"new, one tick ({len(ends)} buckets, {tick_rows:,} rows): {tick:7.2f} s = {tick / len(ends):6.3f} s/bucket"
    )
    print(
        f"new, whole day caught up (144 buckets, {day_rows:,} rows): {day:7.2f} s = {day / 144:6.3f} s/bucket"
    )
    print(f"new, the same tick again (writes {again_rows} rows): {again:7.2f} s")
    print(f"naive per-post baseline: {base:7.2f} s for one bucket of {args.baseline_posts:,} posts; "
          f"extrapolated to {args.posts:,} posts: {base_bucket:7.2f} s/bucket")  # fmt: skip
    print(
        f"speed-up per bucket: tick {base_bucket / (tick / len(ends)):,.0f}x, day catch-up {base_bucket / (day / 144):,.0f}x"
    )


if __name__ == "__main__":
    main()
