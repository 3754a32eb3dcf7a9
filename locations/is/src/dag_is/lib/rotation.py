"""Front-page rotation of clusters (legacy spec A9.3), on the cluster trends the pipeline writes.

Each candidate is a cluster's newest `cluster_trends` row with a window end within a week. Its hot
score is percentile-normalised (rank r, 0-based, among n scores sorted descending → (n − r)/n; ties
share the first rank), multiplied by exp(−age/48 h) where age runs from the cluster's newest member
post, and the top 20 not suppressed are shown. A cluster shown again within 20 minutes of its last
showing counts one more consecutive hit, else starts again at 1; at 3 hits its count returns to 0
and it is suppressed for 24 hours. The shown clusters' newest trend rows get ranks 1..20.

Times are timezone-aware throughout (legacy defect A11-28 compared a naive utcnow with
timestamptz). A rotation is made once per 10-minute bucket: `now` is the bucket end and a second
run in the same bucket finds its rows already written and changes nothing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from dag_is.lib.trends import bucket_floor

if TYPE_CHECKING:
    import psycopg

WINDOW_LABEL = "1w"
WINDOW = timedelta(minutes=10080)
TOP_K = 20
TAU_HOURS = 48.0
MAX_CONSECUTIVE = 3
COOLDOWN = timedelta(hours=24)
RESET_GAP = timedelta(minutes=20)


@dataclass(frozen=True)
class Candidate:
    cluster_id: str
    hot_score: float
    newest_post_at: datetime
    window_start: datetime
    window_end: datetime


@dataclass(frozen=True)
class State:
    consecutive_hits: int
    last_shown_at: datetime
    suppressed_until: datetime | None


@dataclass(frozen=True)
class Pick:
    cluster_id: str
    rank: int
    score: float
    consecutive_hits: int
    suppressed_until: datetime | None
    window_start: datetime
    window_end: datetime


def percentiles(scores: list[float]) -> list[float]:
    """(n − r)/n with r the 0-based first rank of each score in descending order."""
    n = len(scores)
    first_rank: dict[float, int] = {}
    for rank, value in enumerate(sorted(scores, reverse=True)):
        first_rank.setdefault(value, rank)
    return [(n - first_rank[value]) / n for value in scores]


def select(candidates: list[Candidate], states: dict[str, State], now: datetime) -> list[Pick]:
    """The clusters shown at `now` with their new rotation state (pure: no database)."""
    if now.tzinfo is None:
        raise ValueError(f"{now!r} has no time zone")
    pct = percentiles([c.hot_score for c in candidates])
    scored = []
    for candidate, p in zip(candidates, pct):
        age_h = max((now - candidate.newest_post_at).total_seconds() / 3600, 0.0)
        scored.append((p * math.exp(-age_h / TAU_HOURS), candidate))
    scored.sort(key=lambda item: (-item[0], item[1].cluster_id))
    picks: list[Pick] = []
    for score, candidate in scored:
        state = states.get(candidate.cluster_id)
        if state and state.suppressed_until is not None and state.suppressed_until >= now:
            continue
        hits = 1
        if state is not None and now - state.last_shown_at <= RESET_GAP:
            hits = state.consecutive_hits + 1
        suppressed = state.suppressed_until if state else None
        if hits >= MAX_CONSECUTIVE:
            hits, suppressed = 0, now + COOLDOWN
        picks.append(
            Pick(
                candidate.cluster_id, len(picks) + 1, round(score, 9), hits, suppressed,
                candidate.window_start, candidate.window_end,
            )
        )  # fmt: skip
        if len(picks) == TOP_K:
            break
    return picks


CANDIDATES_SQL = """
    SELECT DISTINCT ON (ct.cluster_id) ct.cluster_id::text, ct.hot_score, newest.posted,
           ct.window_start, ct.window_end
    FROM cluster_trends ct
    JOIN LATERAL (
        SELECT max(p."timestamp") AS posted FROM cluster_posts cp JOIN posts p ON p.id = cp.post_id
        WHERE cp.cluster_id = ct.cluster_id AND NOT p.is_deleted
    ) newest ON newest.posted IS NOT NULL
    WHERE ct.window_end > %(since)s AND ct.window_end <= %(now)s
    ORDER BY ct.cluster_id, ct.window_end DESC
"""


@dataclass
class RotationReport:
    bucket_end: datetime
    candidates: int
    picks: list[Pick]
    already_done: bool


def rotate(conn: psycopg.Connection, now: datetime) -> RotationReport:
    """Make (or find) the rotation of the bucket ending at or before `now` (inside a transaction)."""
    at = bucket_floor(now)
    conn.execute("LOCK TABLE cluster_rotation IN SHARE ROW EXCLUSIVE MODE")
    done = conn.execute(
        """SELECT r.cluster_id::text, coalesce(t.rank, 0), r.last_score, r.consecutive_hits,
                  r.suppressed_until, t.window_start, t.window_end
           FROM cluster_rotation r
           LEFT JOIN cluster_trends t ON t.cluster_id = r.cluster_id AND t.rank IS NOT NULL
           WHERE r.window_label = %s AND r.last_shown_at = %s ORDER BY 2""",
        (WINDOW_LABEL, at),
    ).fetchall()
    if done:
        return RotationReport(at, len(done), [Pick(*row) for row in done], already_done=True)
    candidates = [
        Candidate(*row) for row in conn.execute(CANDIDATES_SQL, {"since": at - WINDOW, "now": at}).fetchall()
    ]
    states = {
        row[0]: State(row[1], row[2], row[3])
        for row in conn.execute(
            """SELECT cluster_id::text, consecutive_hits, last_shown_at, suppressed_until
               FROM cluster_rotation WHERE window_label = %s""",
            (WINDOW_LABEL,),
        ).fetchall()
    }
    picks = select(candidates, states, at)
    for pick in picks:
        conn.execute(
            """INSERT INTO cluster_rotation (cluster_id, window_label, consecutive_hits, last_shown_at,
                                             suppressed_until, last_score)
               VALUES (%s, %s, %s, %s, %s, %s)
               ON CONFLICT (cluster_id, window_label) DO UPDATE SET
                   consecutive_hits = EXCLUDED.consecutive_hits, last_shown_at = EXCLUDED.last_shown_at,
                   suppressed_until = EXCLUDED.suppressed_until, last_score = EXCLUDED.last_score""",
            (pick.cluster_id, WINDOW_LABEL, pick.consecutive_hits, at, pick.suppressed_until, pick.score),
        )
    conn.execute("UPDATE cluster_trends SET rank = NULL WHERE rank IS NOT NULL")
    for pick in picks:
        conn.execute(
            """UPDATE cluster_trends SET rank = %s
               WHERE cluster_id = %s AND window_start = %s AND window_end = %s""",
            (pick.rank, pick.cluster_id, pick.window_start, pick.window_end),
        )
    return RotationReport(at, len(candidates), picks, already_done=False)
