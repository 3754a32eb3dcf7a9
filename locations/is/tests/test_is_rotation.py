"""Rotation: percentile, decay, top-k, consecutive hits, cooldown; one rotation per bucket; cluster trends."""

from datetime import UTC, datetime, timedelta

import pytest
from dag_is.lib import rotation
from dag_is.lib.rotation import Candidate, State, percentiles, rotate, select
from dag_is.lib.trends import compute_cluster_trends
from gold_helpers import NOW, add_posts, connect, table


def candidate(cluster_id, hot, age_hours=1.0, now=NOW):
    return Candidate(cluster_id, hot, now - timedelta(hours=age_hours), now - timedelta(minutes=30), now)


def test_percentiles_rank_descending_with_ties_on_the_first_rank():
    assert percentiles([10, 30, 20, 30]) == [0.25, 1.0, 0.5, 1.0]
    assert percentiles([]) == []


def test_decay_puts_a_fresh_cluster_above_an_old_hotter_one():
    picks = select([candidate("old-hot", 100, age_hours=96), candidate("fresh", 50, age_hours=1)], {}, NOW)
    assert [p.cluster_id for p in picks] == ["fresh", "old-hot"]
    assert picks[0].score == pytest.approx(0.5 * 2.718281828 ** (-1 / 48))


def test_only_the_top_k_are_shown():
    picks = select([candidate(f"c{i:02}", i) for i in range(30)], {}, NOW)
    assert (
        len(picks) == rotation.TOP_K
        and picks[0].cluster_id == "c29"
        and [p.rank for p in picks] == list(range(1, 21))
    )


def test_three_consecutive_showings_then_a_24_hour_cooldown(monkeypatch):
    monkeypatch.setattr(rotation, "TOP_K", 2)
    states: dict[str, State] = {}
    shown = []
    at = NOW
    for _ in range(5):
        candidates = [
            candidate("top", 100, now=at),
            candidate("second", 50, now=at),
            candidate("third", 10, now=at),
        ]
        picks = select(candidates, states, at)
        shown.append([p.cluster_id for p in picks])
        for p in picks:
            states[p.cluster_id] = State(p.consecutive_hits, at, p.suppressed_until)
        at += timedelta(minutes=10)
    # shown three times in a row, a cluster's count returns to 0 and it rests for 24 hours: the
    # third cluster takes the front page
    assert shown[:3] == [["top", "second"]] * 3
    assert shown[3:] == [["third"], ["third"]] and states["top"].consecutive_hits == 0
    assert states["top"].suppressed_until == NOW + timedelta(minutes=20) + timedelta(hours=24)
    back = NOW + timedelta(minutes=20) + timedelta(hours=24, seconds=1)
    assert [p.cluster_id for p in select([candidate("top", 100, now=back)], states, back)] == ["top"]


def test_a_gap_over_20_minutes_resets_the_count():
    state = {"c": State(2, NOW - timedelta(minutes=30), None)}
    assert select([candidate("c", 1)], state, NOW)[0].consecutive_hits == 1
    state = {"c": State(1, NOW - timedelta(minutes=20), None)}
    assert select([candidate("c", 1)], state, NOW)[0].consecutive_hits == 2


def test_naive_times_are_refused():
    with pytest.raises(ValueError, match="no time zone"):
        select([], {}, datetime(2026, 11, 29, 6, 0))


@pytest.fixture
def conn(postgres_url):
    with connect(postgres_url) as conn:
        add_posts(conn, [{"id": f"p{i}", "posted": NOW - timedelta(hours=i + 1)} for i in range(6)])
        with conn.transaction():
            for n, members in enumerate((["p0", "p1"], ["p2", "p3"], ["p4", "p5"])):
                cid = f"00000000-0000-0000-0000-00000000000{n}"
                conn.execute(
                    "INSERT INTO clusters VALUES (%s, %s, 't', 2, %s, %s)", (cid, members[0], NOW, NOW)
                )
                for post_id in members:
                    conn.execute(
                        "INSERT INTO cluster_posts VALUES (%s, %s, 1, 'text', false)", (cid, post_id)
                    )
            for i in range(6):
                conn.execute(
                    "INSERT INTO post_trends VALUES (%s, %s, %s, 0, 0, 0, 0, %s)",
                    (f"p{i}", NOW - timedelta(minutes=30), NOW, float(10 * (6 - i))),
                )
        yield conn


def test_the_pipeline_fills_cluster_trends_and_rotates_once_per_bucket(conn):
    with conn.transaction():
        assert compute_cluster_trends(conn, NOW + timedelta(minutes=2)) == 3
        assert compute_cluster_trends(conn, NOW + timedelta(minutes=2)) == 0
    assert table(conn, "SELECT cluster_id::text, hot_score, member_count FROM cluster_trends ORDER BY 1") == [
        ("00000000-0000-0000-0000-000000000000", 110.0, 2),
        ("00000000-0000-0000-0000-000000000001", 70.0, 2),
        ("00000000-0000-0000-0000-000000000002", 30.0, 2),
    ]
    kst = (NOW + timedelta(minutes=3)).astimezone(__import__("zoneinfo").ZoneInfo("Asia/Seoul"))
    with conn.transaction():
        report = rotate(conn, kst)
    assert report.bucket_end == NOW.astimezone(UTC) and not report.already_done
    ranks = table(conn, "SELECT cluster_id::text, rank FROM cluster_trends ORDER BY rank")
    assert [r for _, r in ranks] == [1, 2, 3] and ranks[0][0].endswith("0")
    state = table(
        conn, "SELECT cluster_id::text, consecutive_hits, last_shown_at FROM cluster_rotation ORDER BY 1"
    )
    with conn.transaction():
        again = rotate(conn, NOW + timedelta(minutes=9))  # same bucket: found, nothing changes
    assert again.already_done and [p.cluster_id for p in again.picks] == [c for c, _ in ranks]
    assert (
        table(
            conn, "SELECT cluster_id::text, consecutive_hits, last_shown_at FROM cluster_rotation ORDER BY 1"
        )
        == state
    )
    with conn.transaction():
        rotate(conn, NOW + timedelta(minutes=10))
    assert {h for (h,) in table(conn, "SELECT consecutive_hits FROM cluster_rotation")} == {2}
