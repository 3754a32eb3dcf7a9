"""Merging similar clusters (legacy spec A9.2).

Clusters updated within 14 days are candidates by MinHash LSH over their representatives'
signatures. A candidate pair compares up to 8 top members of each side (by like + 3·comment): for
each member of A its best A9.2 pair score over B's members; the pair merges when at least 3 of
those scores reach 0.80 or the mean of the best three does (the best two when A has two members:
the legacy sum ÷ 3 could never merge two-member clusters on the average).

All merge decisions are taken on the clusters as loaded, then joined by union-find, so the order of
the candidate pairs does not matter and no decision refers to a cluster already deleted (legacy
defect A11-24). One survivor rule everywhere: the larger cluster survives; of equal size the older
(earlier `created_at`), then the smaller id. Members move to the survivor, the others are deleted,
and the survivor's size, representative (highest hot score over all trend windows, then
like + 3·comment, then the earliest post) and title are recomputed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import numpy as np

from dag_is.lib.cluster_build import CLUSTER_LOCK_KEY, require_aware, text_tokens
from dag_is.lib.clustering import UnionFind, candidate_pairs, pair_score, pair_similarities, signature_matrix

if TYPE_CHECKING:
    import psycopg

SCOPE = timedelta(days=14)
TOP_MEMBERS = 8
PAIR_THR = 0.80
MERGE_MIN_PAIR_COUNT = 3
AVG_THR = 0.80


@dataclass(frozen=True)
class ClusterInfo:
    id: str
    size: int
    created_at: datetime


def survivor(clusters: list[ClusterInfo]) -> ClusterInfo:
    """The cluster a group of merged clusters keeps: largest, then oldest, then smallest id."""
    return min(clusters, key=lambda c: (-c.size, c.created_at, c.id))


def should_merge(scores: list[float]) -> bool:
    """The A9.2 rule over the best score of each compared member of A against B."""
    ranked = sorted(scores, reverse=True)
    pair_cnt = sum(1 for s in ranked if s >= PAIR_THR)
    top = ranked[:3]
    avg_s = sum(top) / len(top) if top else 0.0
    return pair_cnt >= MERGE_MIN_PAIR_COUNT or avg_s >= AVG_THR


_SIG_COLUMNS = """coalesce(p.title, '') || ' ' || coalesce(p.content, ''), s.text_simhash64, s.text_minhash128,
    s.gallery_minhash128, s.embed_minhash128, s.image_count, s.embed_count"""


def _matrix(rows: list[tuple], start: int):
    return signature_matrix(
        [r[start + 1] for r in rows],
        [bytes(r[start + 2]) for r in rows],
        [bytes(r[start + 3]) for r in rows],
        [bytes(r[start + 4]) for r in rows],
        [text_tokens(r[start]) for r in rows],
        [r[start + 5] for r in rows],
        [r[start + 6] for r in rows],
    )


@dataclass
class MergeReport:
    clusters: int = 0
    candidate_pairs: int = 0
    merged_pairs: int = 0
    merged_clusters: int = 0

    @property
    def merge_rate(self) -> float:
        return round(self.merged_pairs / self.candidate_pairs, 4) if self.candidate_pairs else 0.0


def merge_clusters(conn: psycopg.Connection, now: datetime) -> MergeReport:
    """Find and apply merges among the clusters updated within 14 days (inside a transaction)."""
    require_aware(now)
    conn.execute("SELECT pg_advisory_xact_lock(%s)", (CLUSTER_LOCK_KEY,))
    report = MergeReport()
    heads = conn.execute(
        f"""SELECT c.id::text, c.size, c.created_at, {_SIG_COLUMNS}
            FROM clusters c
            JOIN posts p ON p.id = c.representative_post_id
            JOIN post_signatures s ON s.post_id = c.representative_post_id
            WHERE c.updated_at >= %s
            ORDER BY c.created_at, c.id""",
        (now - SCOPE,),
    ).fetchall()
    report.clusters = len(heads)
    if len(heads) < 2:
        return report
    infos = [ClusterInfo(r[0], r[1], r[2]) for r in heads]
    pairs, _ = candidate_pairs(_matrix(heads, 3))
    report.candidate_pairs = int(pairs.shape[0])
    if not pairs.size:
        return report
    involved = sorted({infos[i].id for i in pairs.ravel().tolist()})
    members = conn.execute(
        f"""SELECT cluster_id, {_SIG_COLUMNS} FROM (
                SELECT cp.cluster_id::text AS cluster_id, cp.post_id,
                       row_number() OVER (PARTITION BY cp.cluster_id ORDER BY
                           coalesce(p.like_count, 0) + 3 * coalesce(p.comment_count, 0) DESC,
                           p."timestamp", p.id) AS position
                FROM cluster_posts cp JOIN posts p ON p.id = cp.post_id
                WHERE cp.cluster_id = ANY(%s::uuid[])
            ) m
            JOIN posts p ON p.id = m.post_id
            JOIN post_signatures s ON s.post_id = m.post_id
            WHERE m.position <= %s
            ORDER BY m.cluster_id, m.position""",
        (involved, TOP_MEMBERS),
    ).fetchall()
    sigs = _matrix(members, 1)
    rows_of: dict[str, list[int]] = {}
    for index, row in enumerate(members):
        rows_of.setdefault(row[0], []).append(index)
    position = {info.id: i for i, info in enumerate(infos)}
    finder = UnionFind(len(infos))
    for a, b in pairs.tolist():
        side_a, side_b = rows_of.get(infos[a].id, []), rows_of.get(infos[b].id, [])
        if not side_a or not side_b:
            continue
        grid = np.array([[x, y] for x in side_a for y in side_b], dtype=np.int64)
        scores = pair_score(*pair_similarities(sigs, grid)).reshape(len(side_a), len(side_b))
        if should_merge(scores.max(axis=1).tolist()):
            report.merged_pairs += 1
            finder.union(position[infos[a].id], position[infos[b].id])
    for group in finder.components():
        keep = survivor([infos[i] for i in group])
        losers = [infos[i].id for i in group if infos[i].id != keep.id]
        _apply(conn, keep.id, losers, now)
        report.merged_clusters += len(losers)
    return report


def _apply(conn: psycopg.Connection, keep: str, losers: list[str], now: datetime) -> None:
    # post_id is unique in cluster_posts, so moving a member never meets a conflicting row.
    conn.execute(
        "UPDATE cluster_posts SET cluster_id = %s, is_representative = false WHERE cluster_id = ANY(%s::uuid[])",
        (keep, losers),
    )
    conn.execute("DELETE FROM clusters WHERE id = ANY(%s::uuid[])", (losers,))
    rep_id, title = conn.execute(
        """SELECT p.id, p.title FROM cluster_posts cp
           JOIN posts p ON p.id = cp.post_id
           LEFT JOIN (SELECT post_id, max(hot_score) AS hot FROM post_trends GROUP BY post_id) t
             ON t.post_id = cp.post_id
           WHERE cp.cluster_id = %s
           ORDER BY coalesce(t.hot, 0) DESC,
                    coalesce(p.like_count, 0) + 3 * coalesce(p.comment_count, 0) DESC,
                    p."timestamp", p.id
           LIMIT 1""",
        (keep,),
    ).fetchone()
    conn.execute(
        """UPDATE cluster_posts SET is_representative = (post_id = %s)
           WHERE cluster_id = %s AND is_representative IS DISTINCT FROM (post_id = %s)""",
        (rep_id, keep, rep_id),
    )
    conn.execute(
        """UPDATE clusters SET representative_post_id = %s, title = %s, updated_at = %s,
               size = (SELECT count(*) FROM cluster_posts WHERE cluster_id = %s)
           WHERE id = %s""",
        (rep_id, title, now, keep, keep),
    )
