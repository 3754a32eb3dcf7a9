"""Clustering on fixed fixtures: near duplicates across sites, gallery and embed matches, empty texts,
re-runs, stale memberships, and the merge with its survivor rule."""

import random
from datetime import timedelta

import numpy as np
import pytest
from dag_is.lib.cluster_build import build_clusters
from dag_is.lib.cluster_merge import ClusterInfo, merge_clusters, should_merge, survivor
from gold_helpers import NOW, add_posts, clusters_of, connect, table


def words(seed: int, n: int) -> list[str]:
    r = random.Random(seed)
    return [f"어휘{r.randrange(100_000)}" for _ in range(n)]


def text(*parts: list[str]) -> str:
    return " ".join(w for part in parts for w in part)


def gallery(*names: str) -> list[str]:
    return [f"https://img.example.com/u/{name}.jpg" for name in names]


STORY = words(1, 60)
SHARED = words(2, 40)
YOUTUBE = [{"type": "youtube", "videoId": "dQw4w9WgXcQ", "url": "https://youtu.be/dQw4w9WgXcQ"}]

FIXTURE = [
    # the same story on three boards; the copies add a few words
    {"id": "clien-1", "site": "clien", "title": "속보", "content": text(STORY), "likes": 5},
    {"id": "damoang-1", "site": "damoang", "title": "속보", "content": text(STORY, ["출처", "클리앙"]), "likes": 9},
    {"id": "ppomppu-1", "site": "ppomppu", "title": "속보", "content": text(["퍼옴"], STORY)},
    # the same photos with related but different texts (text similarity about 0.64 < 0.75)
    {"id": "clien-2", "site": "clien", "content": text(SHARED, words(3, 10)), "images": gallery("a", "b", "c", "d")},
    {"id": "fmkorea-2", "site": "fmkorea", "content": text(SHARED, words(4, 10)), "images": gallery("a", "b", "c", "d")},
    # one video, different texts, mostly the same photos (gallery 4/6)
    {"id": "clien-3", "site": "clien", "content": text(words(5, 30)), "images": gallery("p", "q", "r", "s", "t"), "embeds": YOUTUBE},
    {"id": "damoang-3", "site": "damoang", "content": text(words(6, 30)), "images": gallery("p", "q", "r", "s", "u"), "embeds": YOUTUBE},
    # related texts without shared photos: not a duplicate
    {"id": "ppomppu-4", "site": "ppomppu", "content": text(SHARED, words(7, 10))},
    # empty and very short texts: identical signatures, never a text match
    {"id": "empty-1", "title": "", "content": ""},
    {"id": "empty-2", "title": "", "content": ""},
    {"id": "short-1", "title": "ㅋㅋ 대박", "content": "헐 대박"},
    {"id": "short-2", "title": "ㅋㅋ 대박", "content": "헐 대박"},
    # outside the 72-hour scope
    {"id": "old-1", "content": text(STORY), "posted": NOW - timedelta(hours=80)},
]  # fmt: skip

EXPECTED = [{"clien-1", "damoang-1", "ppomppu-1"}, {"clien-2", "fmkorea-2"}, {"clien-3", "damoang-3"}]


@pytest.fixture
def conn(postgres_url):
    with connect(postgres_url) as conn:
        add_posts(conn, FIXTURE)
        yield conn


def build(conn, now=NOW):
    with conn.transaction():
        return build_clusters(conn, now)


def test_fixture_clusters_and_match_types(conn):
    report, stats = build(conn)
    assert clusters_of(conn) == sorted(EXPECTED, key=lambda g: sorted(g))
    types = dict(table(conn, "SELECT post_id, match_type FROM cluster_posts"))
    assert {types["clien-1"], types["damoang-1"], types["ppomppu-1"]} == {"text"}
    assert types["clien-2"] == types["fmkorea-2"] == "both"
    assert types["clien-3"] == types["damoang-3"] == "embed"
    assert stats["clusters"] == 3 and stats["posts"] == 12 and stats["text_posts"] == 8
    assert report.clusters_created == 3
    # the representative: no trends yet, so the most liked (like + 3·comment), its title the cluster's
    reps = table(
        conn,
        "SELECT representative_post_id, title, size FROM clusters ORDER BY size DESC, representative_post_id",
    )
    assert reps[0] == ("damoang-1", "속보", 3)
    flags = table(conn, "SELECT post_id FROM cluster_posts WHERE is_representative ORDER BY post_id")
    assert len(flags) == 3 and ("damoang-1",) in flags
    assert table(conn, "SELECT similarity FROM cluster_posts WHERE post_id = 'damoang-1'") == [(1.0,)]


def test_the_hottest_recent_post_represents_its_cluster(conn):
    with conn.transaction():
        conn.execute(
            "INSERT INTO post_trends VALUES ('ppomppu-1', %s, %s, 90, 0, 0, 0, 90)",
            (NOW - timedelta(minutes=40), NOW - timedelta(minutes=10)),
        )
    build(conn)
    assert table(conn, "SELECT representative_post_id FROM clusters WHERE size = 3") == [("ppomppu-1",)]


def test_rerunning_the_build_changes_nothing(conn):
    build(conn)
    before = (
        table(conn, "SELECT * FROM clusters ORDER BY id"),
        table(conn, "SELECT * FROM cluster_posts ORDER BY post_id"),
    )
    report, _ = build(conn, NOW + timedelta(minutes=30))
    after = (
        table(conn, "SELECT * FROM clusters ORDER BY id"),
        table(conn, "SELECT * FROM cluster_posts ORDER BY post_id"),
    )
    assert after == before
    assert (report.clusters_created, report.clusters_upserted, report.memberships_written) == (0, 0, 0)


def test_stale_memberships_are_removed_and_a_post_has_one_cluster(conn):
    build(conn)
    (story_cluster,) = table(conn, "SELECT cluster_id FROM cluster_posts WHERE post_id = 'clien-1'")
    # ppomppu-1 is rewritten into something else, the gallery pair's post is deleted
    replacement = FIXTURE[2] | {"id": "tmp", "content": text(words(99, 40))}
    with conn.transaction():
        conn.execute("DELETE FROM post_signatures WHERE post_id = 'ppomppu-1'")
        conn.execute("UPDATE posts SET is_deleted = true WHERE id = 'fmkorea-2'")
    add_posts(conn, [replacement])
    with conn.transaction():
        conn.execute("UPDATE post_signatures SET post_id = 'ppomppu-1' WHERE post_id = 'tmp'")
        conn.execute("DELETE FROM posts WHERE id = 'tmp'")
    build(conn)
    assert clusters_of(conn) == [{"clien-1", "damoang-1"}, {"clien-3", "damoang-3"}]
    assert table(conn, f"SELECT size FROM clusters WHERE id = '{story_cluster[0]}'") == [
        (2,)
    ]  # kept, resized
    assert table(conn, "SELECT count(*) FROM clusters") == [(2,)]  # the gallery cluster fell below 2 members
    assert table(conn, "SELECT count(*), count(DISTINCT post_id) FROM cluster_posts") == [(4, 4)]


def add_cluster(conn, cluster_id: str, members: list[str], created_hours_ago: float) -> None:
    at = NOW - timedelta(hours=created_hours_ago)
    with conn.transaction():
        conn.execute(
            "INSERT INTO clusters VALUES (%s, %s, 't', %s, %s, %s)",
            (cluster_id, members[0], len(members), at, at),
        )
        for post_id in members:
            conn.execute(
                "INSERT INTO cluster_posts VALUES (%s, %s, 1.0, 'text', %s)",
                (cluster_id, post_id, post_id == members[0]),
            )


A, B, C, D = (f"00000000-0000-0000-0000-00000000000{i}" for i in range(1, 5))


@pytest.fixture
def merge_conn(postgres_url):
    story = words(10, 80)
    other = words(11, 80)
    posts = [{"id": f"s{i}", "content": text(story, [f"꼬리{i}"])} for i in range(7)]
    posts += [{"id": f"o{i}", "content": text(other, [f"꼬리{i}"])} for i in range(2)]
    with connect(postgres_url) as conn:
        add_posts(conn, posts)
        # the same story split over three clusters (built at different times), and another story
        add_cluster(conn, A, ["s0", "s1"], created_hours_ago=10)
        add_cluster(conn, B, ["s2", "s3", "s4"], created_hours_ago=5)
        add_cluster(conn, C, ["s5", "s6"], created_hours_ago=20)
        add_cluster(conn, D, ["o0", "o1"], created_hours_ago=30)
        yield conn


def test_merge_keeps_the_largest_cluster_and_moves_every_member(merge_conn):
    conn = merge_conn
    with conn.transaction():
        report = merge_clusters(conn, NOW)
    assert report.merged_clusters == 2
    assert table(conn, "SELECT id::text, size FROM clusters ORDER BY id") == [(B, 7), (D, 2)]
    members = {p for (p,) in table(conn, f"SELECT post_id FROM cluster_posts WHERE cluster_id = '{B}'")}
    assert members == {f"s{i}" for i in range(7)}
    assert table(
        conn, f"SELECT count(*) FROM cluster_posts WHERE cluster_id = '{B}' AND is_representative"
    ) == [(1,)]
    with conn.transaction():
        again = merge_clusters(conn, NOW)
    assert again.merged_clusters == 0


def test_of_equal_size_the_older_cluster_survives(merge_conn):
    conn = merge_conn
    with conn.transaction():
        conn.execute("DELETE FROM cluster_posts WHERE post_id = 's4'")
        conn.execute(f"UPDATE clusters SET size = 2 WHERE id = '{B}'")
        report = merge_clusters(conn, NOW)
    assert report.merged_clusters == 2
    # A, B and C all have two members: C is the oldest
    assert table(conn, "SELECT id::text, size FROM clusters ORDER BY id") == [(C, 6), (D, 2)]


def test_survivor_and_merge_rules():
    t = NOW
    small_old = ClusterInfo("b", 2, t - timedelta(days=2))
    large_new = ClusterInfo("c", 5, t)
    same_size_newer = ClusterInfo("a", 2, t)
    assert survivor([small_old, large_new]) == survivor([large_new, small_old]) == large_new
    assert survivor([same_size_newer, small_old]) == small_old
    assert survivor([ClusterInfo("z", 2, t), ClusterInfo("y", 2, t)]).id == "y"
    assert should_merge([0.81, 0.8, 0.8, 0.1])  # three pairs at or above 0.80
    assert should_merge([1.0, 0.9, 0.55])  # the best three average 0.817
    assert not should_merge([1.0, 0.79, 0.5, 0.5])
    assert should_merge([0.9, 0.85])  # two members: the mean of both
    assert not should_merge(list(np.zeros(8)))
