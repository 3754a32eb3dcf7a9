"""Post trends, keyword trends and the two materialized views, on rows written straight into the tables."""

from datetime import UTC, datetime, timedelta

import pytest
from dag_is.lib.trends import (
    bucket_floor,
    buckets_to_compute,
    compute_keyword_trends,
    compute_post_trends,
    refresh_view,
)
from gold_helpers import NOW, add_posts, add_snapshots, connect, table

T = NOW  # a bucket end: 06:00 UTC


@pytest.fixture
def conn(postgres_url):
    with connect(postgres_url) as conn:
        yield conn


def trends(conn):
    return table(
        conn,
        "SELECT post_id, window_start, window_end, view_delta, comment_delta, like_delta, hot_score "
        "FROM post_trends ORDER BY window_end, post_id",
    )


def test_the_window_includes_its_end_and_excludes_later_snapshots(conn):
    add_posts(conn, [{"id": "a", "title": "x"}])
    add_snapshots(
        conn,
        [
            ("a", T - timedelta(minutes=30), 1000, 0, 0),  # on the lower bound: outside
            ("a", T - timedelta(minutes=25), 100, 1, 1),
            ("a", T, 150, 3, 4),  # on the upper bound: inside
            ("a", T + timedelta(minutes=1), 9999, 99, 99),  # after the bucket end: outside
        ],
    )
    with conn.transaction():
        ends, written = compute_post_trends(conn, T + timedelta(minutes=5))
    assert ends == [T - timedelta(minutes=20), T - timedelta(minutes=10), T]
    # Δview 50, Δcomment 3, Δlike 2: 50 + 3·3 + 2·2
    assert trends(conn)[-1] == ("a", T - timedelta(minutes=30), T, 50, 3, 2, 63.0)
    assert written == 3


def test_a_post_with_one_snapshot_gets_a_zero_row(conn):
    add_posts(conn, [{"id": "single"}])
    add_snapshots(conn, [("single", T - timedelta(minutes=3), 70, 5, 2)])
    with conn.transaction():
        compute_post_trends(conn, T)
    assert trends(conn) == [("single", T - timedelta(minutes=30), T, 0, 0, 0, 0.0)]  # the only window with it


def test_rerunning_writes_nothing_and_missed_buckets_are_caught_up(conn):
    add_posts(conn, [{"id": "a"}])
    add_snapshots(conn, [("a", T - timedelta(minutes=m), 100 - m, 0, 0) for m in range(0, 60, 5)])
    with conn.transaction():
        compute_post_trends(conn, T - timedelta(minutes=30))
    with conn.transaction():
        ends, _ = compute_post_trends(conn, T)
    # The stored bucket (05:30) and the two before it are recomputed (late snapshots), then the
    # missed ones up to 06:00.
    assert ends == [T - timedelta(minutes=m) for m in (50, 40, 30, 20, 10, 0)]
    before = trends(conn)
    assert [row[2] for row in before] == [T - timedelta(minutes=m) for m in (50, 40, 30, 20, 10, 0)]
    with conn.transaction():
        _, written = compute_post_trends(conn, T)
    assert written == 0
    assert trends(conn) == before


def test_bucket_helpers_are_timezone_aware():
    kst = datetime(2026, 11, 29, 15, 7, 30, tzinfo=UTC).astimezone(
        __import__("zoneinfo").ZoneInfo("Asia/Seoul")
    )
    assert bucket_floor(kst) == datetime(2026, 11, 29, 15, 0, tzinfo=UTC)
    with pytest.raises(ValueError, match="no time zone"):
        bucket_floor(datetime(2026, 11, 29, 15, 7))
    assert buckets_to_compute(None, T) == [T - timedelta(minutes=20), T - timedelta(minutes=10), T]
    assert len(buckets_to_compute(T - timedelta(days=5), T)) == 144


def test_keyword_trends_count_posts_per_range_and_follow_changes(conn):
    add_posts(
        conn,
        [
            {"id": "p1", "posted": T - timedelta(hours=1)},
            {"id": "p2", "posted": T - timedelta(hours=5)},
            {"id": "p3", "posted": T - timedelta(days=2)},
            {"id": "gone", "posted": T - timedelta(hours=1), "deleted": True},
        ],
    )
    with conn.transaction():
        assert compute_keyword_trends(conn, T)[1:] == (0, 0, 0)  # no keywords yet: no rows
        for post_id, keywords in (
            ("p1", '["  Apple ", "반도체", "apple"]'),
            ("p2", '[{"keyword": "반도체"}]'),
            ("p3", '["apple"]'),
            ("gone", '["apple"]'),
        ):
            conn.execute(
                "INSERT INTO post_enrichment (post_id, fused_keywords) VALUES (%s, %s::jsonb)",
                (post_id, keywords),
            )
        compute_keyword_trends(conn, T + timedelta(minutes=3))
    counts = {(k, r): c for k, r, c in table(conn, "SELECT keyword, range_label, count FROM keyword_trends")}
    assert counts == {
        ("apple", "3h"): 1, ("apple", "6h"): 1, ("apple", "24h"): 1, ("apple", "1w"): 2,
        ("반도체", "3h"): 1, ("반도체", "6h"): 2, ("반도체", "24h"): 2, ("반도체", "1w"): 2,
    }  # fmt: skip
    with conn.transaction():
        assert compute_keyword_trends(conn, T)[1:3] == (0, 0)  # re-run: nothing written
        conn.execute(
            """UPDATE post_enrichment SET fused_keywords = '["apple"]' WHERE post_id IN ('p1', 'p2')"""
        )
        _, written, removed, _ = compute_keyword_trends(conn, T)
    assert (written, removed) == (3, 4)  # apple gains p2 in 6h/24h/1w; 반도체 is gone from all four ranges
    counts = {(k, r): c for k, r, c in table(conn, "SELECT keyword, range_label, count FROM keyword_trends")}
    assert counts == {("apple", "3h"): 1, ("apple", "6h"): 2, ("apple", "24h"): 2, ("apple", "1w"): 3}


def test_materialized_views_refresh_concurrently_from_the_newest_window(conn):
    add_posts(conn, [{"id": "a"}, {"id": "b"}])
    snaps = []
    for m in range(0, 180, 10):  # three hours, one snapshot per 10 minutes, +100 views each
        snaps += [
            ("a", T - timedelta(minutes=m), 1000 - 10 * m, 0, 0),
            ("b", T - timedelta(minutes=m), 5, 0, 0),
        ]
    add_snapshots(conn, snaps)
    with conn.transaction():
        compute_post_trends(conn, T - timedelta(hours=3))
    with conn.transaction():
        compute_post_trends(conn, T - timedelta(hours=2, minutes=30))
    with conn.transaction():
        compute_post_trends(conn, T)
    with conn.transaction():
        refresh_view(conn, "mv_post_trends_30m")
        refresh_view(conn, "mv_post_trends_agg")
    assert table(conn, "SELECT post_id, window_end, view_delta FROM mv_post_trends_30m ORDER BY post_id") == [
        ("a", T, 200),  # snapshots at −20 (800 views) and 0 (1000) in (−30, 0]
        ("b", T, 0),
    ]
    agg = {
        r[0]: r[1:]
        for r in table(
            conn, "SELECT range_label, view_delta, windows FROM mv_post_trends_agg WHERE post_id = 'a'"
        )
    }
    # 3h of tiling 30-minute windows: each counts 200 of the 300 views (its first snapshot is after
    # the lower bound), so 6 windows give 1200; no 10-minute change is counted twice.
    assert agg["3h"][0] == 1200
    assert agg["1w"] == agg["24h"]
    with pytest.raises(ValueError):
        refresh_view(conn, "posts")
