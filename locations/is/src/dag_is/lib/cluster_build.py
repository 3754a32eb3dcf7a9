"""`clusters` and `cluster_posts` from the posts of the last 72 hours (legacy spec A9.1).

Loads the live posts of the scope with their signatures, clusters them (`clustering.cluster`) and
writes the result so that re-running on the same data changes nothing:

- each component goes to the existing cluster holding most of its members (ties: the older
  cluster), else to a new one; several components may go to one cluster, which keeps what
  `clusters_merge` joined;
- a post has one current cluster (`cluster_posts.post_id` is unique): a post of the scope that is
  in no component, or a deleted post, loses its membership (legacy defect A11-23); clusters left
  with fewer than two members are deleted;
- the representative is the member with the highest hot score of its latest trend window within
  3 hours, then `like + 3·comment`, then the earliest post; the title is its title;
- rows are written only when a value differs, and `updated_at` moves only then.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import numpy as np

from dag_is.lib.clustering import (
    MATCH_TYPES,
    MIN_TEXT_TOKENS,
    SignatureMatrix,
    cluster,
    signature_matrix,
    similarity_to,
)
from dag_is.lib.signatures import tokens

if TYPE_CHECKING:
    import psycopg

SCOPE = timedelta(hours=72)
# Serialises the build and the merge: both rewrite cluster memberships.
CLUSTER_LOCK_KEY = 0x15_C1_057
HOT_LOOKBACK = timedelta(hours=3)


def require_aware(now: datetime) -> datetime:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError(f"{now!r} has no time zone: the IS gold steps compare timestamptz values")
    return now


@dataclass
class ScopePosts:
    ids: list[str]
    titles: list[str]
    posted: list[datetime]
    hot: np.ndarray
    engagement: np.ndarray
    sigs: SignatureMatrix


SCOPE_QUERY = """
    SELECT p.id, coalesce(p.title, ''), coalesce(p.content, ''), p."timestamp",
           coalesce(p.like_count, 0) + 3 * coalesce(p.comment_count, 0),
           coalesce(t.hot_score, 0),
           s.text_simhash64, s.text_minhash128, s.gallery_minhash128, s.embed_minhash128,
           s.image_count, s.embed_count
    FROM posts p
    JOIN post_signatures s ON s.post_id = p.id
    LEFT JOIN (
        SELECT DISTINCT ON (post_id) post_id, hot_score
        FROM post_trends
        WHERE window_end > %(hot_since)s AND window_end <= %(now)s
        ORDER BY post_id, window_end DESC
    ) t ON t.post_id = p.id
    WHERE NOT p.is_deleted AND p."timestamp" >= %(since)s AND p."timestamp" <= %(now)s
    ORDER BY p."timestamp", p.id
"""


def text_tokens(text: str, enough: int = MIN_TEXT_TOKENS) -> int:
    """The number of tokens of a text, exact below `enough` (a prefix never has more tokens than the
    whole text, so a long text is decided by its first characters)."""
    if len(text) > 400:
        found = len(tokens(text[:400]))
        if found >= enough:
            return found
    return len(tokens(text))


def load_scope(conn: psycopg.Connection, now: datetime) -> ScopePosts:
    rows = conn.execute(
        SCOPE_QUERY, {"since": now - SCOPE, "hot_since": now - HOT_LOOKBACK, "now": now}
    ).fetchall()
    return ScopePosts(
        ids=[r[0] for r in rows],
        titles=[r[1] for r in rows],
        posted=[r[3] for r in rows],
        engagement=np.array([r[4] for r in rows], dtype=np.float64),
        hot=np.array([r[5] for r in rows], dtype=np.float64),
        sigs=signature_matrix(
            [r[6] for r in rows],
            [bytes(r[7]) for r in rows],
            [bytes(r[8]) for r in rows],
            [bytes(r[9]) for r in rows],
            [text_tokens(f"{r[1]} {r[2]}") for r in rows],
            [r[10] for r in rows],
            [r[11] for r in rows],
        ),
    )


def representative(members: list[int], hot: np.ndarray, engagement: np.ndarray) -> int:
    """Highest hot score, then highest like + 3·comment, then the earliest post (lowest index)."""
    return min(members, key=lambda m: (-hot[m], -engagement[m], m))


@dataclass
class PlannedCluster:
    members: list[int]
    representative: int
    similarity: dict[int, float]
    match_type: dict[int, str]


def plan(scope: ScopePosts, max_bucket: int | None = None) -> tuple[list[PlannedCluster], dict]:
    """The components of the scope with representative, similarity and match type per member."""
    result = cluster(scope.sigs) if max_bucket is None else cluster(scope.sigs, max_bucket)
    best_kind: dict[int, tuple[float, int]] = {}
    for (a, b), kind, sim in zip(result.pairs.tolist(), result.kinds.tolist(), result.similarities.tolist()):
        for post in (a, b):
            if post not in best_kind or sim > best_kind[post][0]:
                best_kind[post] = (sim, kind)
    reps = [representative(members, scope.hot, scope.engagement) for members in result.components]
    pairs = np.array(
        [[m, rep] for members, rep in zip(result.components, reps) for m in members], dtype=np.int64
    )
    scores = iter(similarity_to(scope.sigs, pairs.reshape(-1, 2)).tolist())
    planned = []
    for members, rep in zip(result.components, reps):
        planned.append(
            PlannedCluster(
                members=members,
                representative=rep,
                similarity={m: round(next(scores), 6) for m in members},
                match_type={m: MATCH_TYPES[best_kind[m][1]] for m in members},
            )
        )
    return planned, result.stats


@dataclass
class BuildReport:
    clusters_upserted: int = 0
    clusters_created: int = 0
    clusters_deleted: int = 0
    memberships_written: int = 0
    memberships_removed: int = 0


def _choose_clusters(
    conn: psycopg.Connection, scope: ScopePosts, planned: list[PlannedCluster]
) -> list[str | None]:
    """The existing cluster each component goes to (None: a new one)."""
    current = dict(
        conn.execute(
            """SELECT cp.post_id, cp.cluster_id::text || '|' || to_char(c.created_at AT TIME ZONE 'UTC',
                      'YYYYMMDDHH24MISSUS')
               FROM cluster_posts cp JOIN clusters c ON c.id = cp.cluster_id
               WHERE cp.post_id = ANY(%s)""",
            ([scope.ids[m] for p in planned for m in p.members],),
        ).fetchall()
    )
    chosen: list[str | None] = []
    for component in planned:
        votes: dict[str, int] = {}
        for m in component.members:
            found = current.get(scope.ids[m])
            if found:
                votes[found] = votes.get(found, 0) + 1
        if not votes:
            chosen.append(None)
            continue
        cluster_id, _created = min(votes, key=lambda k: (-votes[k], k.split("|")[1], k)).split("|")
        chosen.append(cluster_id)
    return chosen


def persist(
    conn: psycopg.Connection, scope: ScopePosts, planned: list[PlannedCluster], now: datetime
) -> BuildReport:
    """Write the planned clusters (call inside a transaction)."""
    report = BuildReport()
    chosen = _choose_clusters(conn, scope, planned)
    rows = []  # (cluster_id, post_id, similarity, match_type, is_representative)
    heads: dict[str, tuple[int, float, float]] = {}  # cluster → (representative index, hot, engagement)
    new_clusters: list[tuple[str, PlannedCluster]] = []
    for component, cluster_id in zip(planned, chosen):
        if cluster_id is None:
            cluster_id = str(uuid.uuid4())
            new_clusters.append((cluster_id, component))
            report.clusters_created += 1
        rep = component.representative
        best = heads.get(cluster_id)
        if best is None or representative([best[0], rep], scope.hot, scope.engagement) == rep:
            heads[cluster_id] = (rep, scope.hot[rep], scope.engagement[rep])
        for m in component.members:
            rows.append([cluster_id, scope.ids[m], component.similarity[m], component.match_type[m]])
    for row in rows:
        row.append(scope.ids[heads[row[0]][0]] == row[1])
    with conn.cursor().copy(
        "COPY clusters (id, representative_post_id, title, size, created_at, updated_at) FROM STDIN"
    ) as copy:
        for cluster_id, component in new_clusters:
            rep = component.representative
            copy.write_row((cluster_id, scope.ids[rep], scope.titles[rep], len(component.members), now, now))

    # a second build in one transaction finds the tables of the first
    conn.execute("DROP TABLE IF EXISTS pg_temp.cluster_plan, pg_temp.cluster_heads")
    conn.execute(
        """CREATE TEMPORARY TABLE cluster_plan (
               cluster_id uuid, post_id text, similarity double precision, match_type text,
               is_representative boolean) ON COMMIT DROP"""
    )
    with conn.cursor().copy("COPY cluster_plan FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
    touched = {
        r[0]
        for r in conn.execute(
            """SELECT cp.cluster_id::text FROM cluster_posts cp
               LEFT JOIN cluster_plan n ON n.post_id = cp.post_id
               WHERE (cp.post_id = ANY(%s) OR cp.post_id IN (SELECT id FROM posts WHERE is_deleted))
                 AND (n.cluster_id IS NULL OR n.cluster_id <> cp.cluster_id)""",
            (scope.ids,),
        ).fetchall()
    }
    # A post of the scope in no component, or a deleted post, leaves its cluster.
    removed = conn.execute(
        """DELETE FROM cluster_posts cp
           WHERE (cp.post_id = ANY(%s) OR cp.post_id IN (SELECT id FROM posts WHERE is_deleted))
             AND NOT EXISTS (SELECT 1 FROM cluster_plan n WHERE n.post_id = cp.post_id)""",
        (scope.ids,),
    )
    report.memberships_removed = max(removed.rowcount, 0)
    written = conn.execute(
        """INSERT INTO cluster_posts (cluster_id, post_id, similarity, match_type, is_representative)
           SELECT cluster_id, post_id, similarity, match_type, is_representative FROM cluster_plan
           ON CONFLICT (post_id) DO UPDATE SET cluster_id = EXCLUDED.cluster_id,
               similarity = EXCLUDED.similarity, match_type = EXCLUDED.match_type,
               is_representative = EXCLUDED.is_representative
           WHERE (cluster_posts.cluster_id, cluster_posts.similarity, cluster_posts.match_type,
                  cluster_posts.is_representative)
                 IS DISTINCT FROM (EXCLUDED.cluster_id, EXCLUDED.similarity, EXCLUDED.match_type,
                  EXCLUDED.is_representative)"""
    )
    report.memberships_written = max(written.rowcount, 0)
    touched |= set(heads)
    # Members outside the scope (older posts of a long-lived cluster) lose the flag when the
    # representative changed.
    conn.execute(
        """UPDATE cluster_posts cp SET is_representative = false
           FROM (SELECT DISTINCT cluster_id FROM cluster_plan) c
           WHERE cp.cluster_id = c.cluster_id AND cp.is_representative
             AND NOT EXISTS (SELECT 1 FROM cluster_plan n WHERE n.post_id = cp.post_id AND n.is_representative)"""
    )
    deleted = conn.execute(
        """DELETE FROM clusters c WHERE c.id = ANY(%s::uuid[])
           AND (SELECT count(*) FROM cluster_posts cp WHERE cp.cluster_id = c.id) < 2""",
        (sorted(touched),),
    )
    report.clusters_deleted = max(deleted.rowcount, 0)
    conn.execute(
        """CREATE TEMPORARY TABLE cluster_heads (cluster_id uuid, representative_post_id text, title text)
           ON COMMIT DROP"""
    )
    with conn.cursor().copy("COPY cluster_heads FROM STDIN") as copy:
        for cluster_id, (rep, _, _) in heads.items():
            copy.write_row((cluster_id, scope.ids[rep], scope.titles[rep]))
    updated = conn.execute(
        """UPDATE clusters c SET representative_post_id = h.representative_post_id, title = h.title,
               size = s.size, updated_at = %(now)s
           FROM cluster_heads h
           JOIN (SELECT cluster_id, count(*)::int AS size FROM cluster_posts GROUP BY cluster_id) s
             ON s.cluster_id = h.cluster_id
           WHERE c.id = h.cluster_id AND (c.representative_post_id, c.title, c.size)
                 IS DISTINCT FROM (h.representative_post_id, h.title, s.size)""",
        {"now": now},
    ).rowcount
    # Clusters that lost members but keep two or more: size only.
    conn.execute(
        """UPDATE clusters c SET size = s.size, updated_at = %(now)s
           FROM (SELECT cluster_id, count(*)::int AS size FROM cluster_posts
                 WHERE cluster_id = ANY(%(ids)s::uuid[]) GROUP BY cluster_id) s
           WHERE c.id = s.cluster_id AND c.size <> s.size""",
        {"now": now, "ids": sorted(touched)},
    )
    report.clusters_upserted = max(updated, 0)
    return report


def build_clusters(conn: psycopg.Connection, now: datetime) -> tuple[BuildReport, dict]:
    """Cluster the scope ending at `now` and write it (call inside a transaction)."""
    require_aware(now)
    conn.execute("SELECT pg_advisory_xact_lock(%s)", (CLUSTER_LOCK_KEY,))
    scope = load_scope(conn, now)
    planned, stats = plan(scope)
    report = persist(conn, scope, planned, now)
    return report, stats
