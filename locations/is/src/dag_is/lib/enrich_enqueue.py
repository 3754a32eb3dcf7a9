"""Filling the fusion queue: text-only jobs (ETA hold), image jobs (upgrade), front-page P0 promotion.

Every statement is set-based and goes through the one `fusion_jobs` upsert (enrich_queue) and the
one rev_key recipe (enrich_revs). A post is a candidate only while its current target key has
no job and is not already its `fuse_rev` (legacy defect A11-14: the same first 1000 posts were
re-selected forever); candidates are taken newest first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from dag_is.lib.enrich_queue import FUSION_UPSERT
from dag_is.lib.enrich_revs import MODEL, prompt_tag, rev_key_sql

if TYPE_CHECKING:
    import psycopg

# The post's current key for the running method, and (for the local method) the model's key, which
# also counts as enriched.
_TARGET = rev_key_sql("e.text_rev", "e.image_rev", "tag")
_TEXT_ONLY = rev_key_sql("e.text_rev", "NULL", "tag")
_MODEL_TARGET = rev_key_sql("e.text_rev", "e.image_rev", "model_tag")


def _params(prompt_ver: str, method: str) -> dict[str, str]:
    return {"tag": prompt_tag(prompt_ver, method), "model_tag": prompt_tag(prompt_ver, MODEL)}


_NOT_ENRICHED = f"""e.text_rev IS NOT NULL AND NOT p.is_deleted
    AND e.fuse_rev IS DISTINCT FROM {_TARGET} AND e.fuse_rev IS DISTINCT FROM {_MODEL_TARGET}
    AND NOT EXISTS (SELECT 1 FROM fusion_jobs f WHERE f.post_id = p.id AND f.rev_key = {_TARGET})"""


@dataclass(frozen=True)
class EtaPolicy:
    queued_due: int
    images_per_minute: float
    eta_minutes: float
    hold: bool


def vlm_eta(conn: psycopg.Connection, window_minutes: float, hold_max_minutes: float) -> EtaPolicy:
    """Spec A8.1: ETA = due image jobs ÷ images enriched per minute over the window.

    When the VLM would reach the queue within `hold_max_minutes`, text-only jobs of posts with
    images are held that long so the image result can join them; otherwise nothing is held.
    """
    queued = conn.execute(
        "SELECT count(*) FROM media_enrichment_jobs WHERE status = 'queued' AND next_attempt_at <= now()"
    ).fetchone()[0]
    recent = conn.execute(
        "SELECT count(*) FROM post_image_enrichment WHERE enriched_at >= now() - make_interval(mins => %s)",
        (int(window_minutes),),
    ).fetchone()[0]
    rate = recent / window_minutes
    eta = queued / max(rate, 1e-4)
    return EtaPolicy(queued, rate, eta, eta <= hold_max_minutes)


def enqueue_text_only(
    conn: psycopg.Connection,
    prompt_ver: str,
    method: str,
    limit: int,
    priority: str,
    hold_minutes: float,
    hold: bool,
) -> tuple[int, int]:
    """Queue fusion jobs for posts without an image result; (queued now, held for the VLM)."""
    rows = conn.execute(
        "WITH candidates AS ("
        f"  SELECT p.id AS post_id, {_TARGET} AS rev_key,"
        "          EXISTS (SELECT 1 FROM post_images i WHERE i.post_id = p.id) AS has_images"
        "   FROM posts p JOIN post_enrichment e ON e.post_id = p.id"
        f"  WHERE (e.image_rev IS NULL OR e.image_rev = 'noimg') AND {_NOT_ENRICHED}"
        '   ORDER BY p."timestamp" DESC NULLS LAST, p.id LIMIT %(limit)s) '
        + FUSION_UPSERT.format(
            select="SELECT post_id, rev_key, %(priority)s, 'queued', "
            "CASE WHEN %(hold)s AND has_images THEN now() + make_interval(secs => %(hold_seconds)s) ELSE now() END "
            "FROM candidates"
        ),
        {
            **_params(prompt_ver, method),
            "limit": limit,
            "priority": priority,
            "hold": hold,
            "hold_seconds": hold_minutes * 60,
        },
    ).fetchall()
    held = sum(1 for _, is_held in rows if is_held)
    return len(rows) - held, held


def upgrade_to_image(
    conn: psycopg.Connection, prompt_ver: str, method: str, limit: int, priority: str
) -> tuple[int, int]:
    """Posts with an image result get the image job; their queued text-only job is canceled.

    Returns (image jobs queued, text-only jobs canceled); posts never fused come first.
    """
    params = {**_params(prompt_ver, method), "limit": limit}
    targets = conn.execute(
        f"SELECT p.id, {_TARGET}, {_TEXT_ONLY} FROM posts p JOIN post_enrichment e ON e.post_id = p.id "
        f"WHERE e.image_rev IS NOT NULL AND e.image_rev <> 'noimg' AND {_NOT_ENRICHED} "
        "ORDER BY e.fused_at NULLS FIRST, p.id LIMIT %(limit)s",
        params,
    ).fetchall()
    if not targets:
        return 0, 0
    post_ids, keys, text_keys = (list(column) for column in zip(*targets, strict=True))
    canceled = conn.execute(
        """UPDATE fusion_jobs f SET status = 'canceled', finished_at = now(), updated_at = now(),
               last_error = concat_ws(' | ', f.last_error, 'superseded_by_image')
           FROM unnest(%s::text[], %s::text[]) AS t(post_id, rev_key)
           WHERE f.post_id = t.post_id AND f.rev_key = t.rev_key AND f.status = 'queued'""",
        (post_ids, text_keys),
    ).rowcount
    queued = conn.execute(
        FUSION_UPSERT.format(
            select="SELECT post_id, rev_key, %(priority)s, 'queued', now() "
            "FROM unnest(%(ids)s::text[], %(keys)s::text[]) AS t(post_id, rev_key)"
        ),
        {"priority": priority, "ids": post_ids, "keys": keys},
    ).fetchall()
    return len(queued), max(canceled, 0)


@dataclass(frozen=True)
class Promotion:
    text_upgraded: int
    text_inserted: int
    media_upgraded: int
    media_inserted: int


def promote_front_page(
    conn: psycopg.Connection, prompt_ver: str, method: str, shown_minutes: float
) -> Promotion:
    """Spec A2 #15: jobs of posts shown on the front page recently move to P0 (and missing ones appear)."""
    front = (
        "SELECT r.post_id FROM post_rotation r JOIN posts p ON p.id = r.post_id "
        "WHERE r.last_shown_at >= now() - make_interval(secs => %(shown)s) AND NOT p.is_deleted"
    )
    params = {**_params(prompt_ver, method), "shown": shown_minutes * 60}

    def count(sql: str) -> int:
        return conn.execute(sql, params).fetchone()[0]

    def to_p0(table: str) -> int:
        """Queued or errored jobs of the front-page posts in `table` become P0 and due now."""
        return count(
            f"""WITH up AS (UPDATE {table} j SET priority = 'P0', status = 'queued', next_attempt_at = now(),
                       updated_at = now()
                   WHERE j.post_id IN ({front}) AND j.status IN ('queued', 'error') AND j.priority <> 'P0'
                   RETURNING 1) SELECT count(*) FROM up"""
        )

    text_upgraded = to_p0("fusion_jobs")
    text_inserted = len(
        conn.execute(
            f"WITH candidates AS (SELECT p.id AS post_id, {_TARGET} AS rev_key FROM posts p "
            f"JOIN post_enrichment e ON e.post_id = p.id WHERE p.id IN ({front}) AND {_NOT_ENRICHED}) "
            + FUSION_UPSERT.format(select="SELECT post_id, rev_key, 'P0', 'queued', now() FROM candidates"),
            params,
        ).fetchall()
    )
    media_upgraded = to_p0("media_enrichment_jobs")
    media_inserted = count(
        f"""WITH ranked AS (
                SELECT i.post_id, i.url_hash, i.url,
                       row_number() OVER (PARTITION BY i.post_id ORDER BY i.url_hash) AS first_rank,
                       row_number() OVER (PARTITION BY i.post_id ORDER BY i.url_hash DESC) AS last_rank
                FROM post_images i WHERE i.post_id IN ({front})),
            ins AS (INSERT INTO media_enrichment_jobs (post_id, url_hash, image_url, priority, status, next_attempt_at)
                SELECT post_id, url_hash, url, 'P0', 'queued', now() FROM ranked WHERE first_rank = 1 OR last_rank = 1
                ON CONFLICT (post_id, url_hash) DO NOTHING RETURNING 1)
            SELECT count(*) FROM ins"""
    )
    return Promotion(text_upgraded, text_inserted, media_upgraded, media_inserted)
