"""Claiming and settling jobs of the two enrichment queues (`fusion_jobs`, `media_enrichment_jobs`).

Workers claim a batch in one short transaction (`FOR UPDATE SKIP LOCKED`, rows set to
`processing` with a lease: `locked_at`, `locked_by`), call the model with no transaction open, and
settle each job in its own transaction (legacy defect A11-15). Settling only touches a row still
leased by the same worker, so a job whose lease expired and was claimed again is never overwritten.
`reap_stale` returns jobs whose lease expired (a killed worker) to the queue (defect A11-16).
SQL errors propagate: nothing here catches them (defect A11-7).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import psycopg


@dataclass(frozen=True)
class Queue:
    table: str
    key: tuple[str, str]


FUSION = Queue("fusion_jobs", ("post_id", "rev_key"))
MEDIA = Queue("media_enrichment_jobs", ("post_id", "url_hash"))

# The one ON CONFLICT rule of fusion_jobs (legacy defect A11-36: five copies). A job already done
# stays done; an errored one is queued again; a processing one keeps its lease and due time; the
# priority only rises (text order: P0 < P1).
FUSION_UPSERT = """
INSERT INTO fusion_jobs (post_id, rev_key, priority, status, next_attempt_at)
{select}
ON CONFLICT (post_id, rev_key) DO UPDATE SET
    status = CASE WHEN fusion_jobs.status = 'error' THEN 'queued' ELSE fusion_jobs.status END,
    next_attempt_at = CASE WHEN fusion_jobs.status = 'processing' THEN fusion_jobs.next_attempt_at
                           ELSE LEAST(fusion_jobs.next_attempt_at, EXCLUDED.next_attempt_at) END,
    priority = LEAST(fusion_jobs.priority, EXCLUDED.priority),
    updated_at = now()
WHERE fusion_jobs.status IN ('queued', 'error')
  AND (fusion_jobs.status = 'error' OR fusion_jobs.priority > EXCLUDED.priority
       OR fusion_jobs.next_attempt_at > EXCLUDED.next_attempt_at)
RETURNING (xmax = 0) AS inserted, next_attempt_at > now() AS held
"""


def reap_stale(conn: psycopg.Connection, queue: Queue, lease_seconds: float) -> int:
    """Return `processing` jobs whose lease is older than `lease_seconds` to `queued`; their count."""
    cur = conn.execute(
        f"""UPDATE {queue.table}
            SET status = 'queued', next_attempt_at = now(), updated_at = now(),
                last_error = concat_ws(' | ', last_error, 'lease expired (' || coalesce(locked_by, '?') || ')'),
                locked_at = NULL, locked_by = NULL
            WHERE status = 'processing' AND locked_at < now() - make_interval(secs => %s)""",
        (lease_seconds,),
    )
    return max(cur.rowcount, 0)


def claim_fusion(conn: psycopg.Connection, worker: str, limit: int) -> list[tuple[str, str, str, int]]:
    """Lease up to `limit` due fusion jobs, P0 first then oldest: (post_id, rev_key, priority, attempts)."""
    return conn.execute(
        """WITH picked AS (
               SELECT post_id, rev_key FROM fusion_jobs
               WHERE status = 'queued' AND next_attempt_at <= now()
               ORDER BY priority, created_at
               LIMIT %(limit)s FOR UPDATE SKIP LOCKED)
           UPDATE fusion_jobs j
           SET status = 'processing', locked_at = now(), locked_by = %(worker)s, updated_at = now()
           FROM picked WHERE j.post_id = picked.post_id AND j.rev_key = picked.rev_key
           RETURNING j.post_id, j.rev_key, j.priority, j.attempts""",
        {"limit": limit, "worker": worker},
    ).fetchall()


def claim_media(conn: psycopg.Connection, worker: str, limit: int) -> list[tuple[str, str, str, int]]:
    """Lease up to `limit` due image jobs, at most the first and last (by url_hash) of a post per claim.

    Returns (post_id, url_hash, image_url, attempts); P0 first, then the longest due.
    """
    return conn.execute(
        """WITH due AS (
               SELECT post_id, url_hash,
                      row_number() OVER (PARTITION BY post_id ORDER BY url_hash) AS first_rank,
                      row_number() OVER (PARTITION BY post_id ORDER BY url_hash DESC) AS last_rank
               FROM media_enrichment_jobs WHERE status = 'queued' AND next_attempt_at <= now()),
           picked AS (
               SELECT j.post_id, j.url_hash FROM media_enrichment_jobs j
               JOIN due ON due.post_id = j.post_id AND due.url_hash = j.url_hash
               WHERE (due.first_rank = 1 OR due.last_rank = 1) AND j.status = 'queued'
               ORDER BY j.priority, j.next_attempt_at
               LIMIT %(limit)s FOR UPDATE OF j SKIP LOCKED)
           UPDATE media_enrichment_jobs j
           SET status = 'processing', locked_at = now(), locked_by = %(worker)s, updated_at = now()
           FROM picked WHERE j.post_id = picked.post_id AND j.url_hash = picked.url_hash
           RETURNING j.post_id, j.url_hash, j.image_url, j.attempts""",
        {"limit": limit, "worker": worker},
    ).fetchall()


def _settle(
    conn,
    queue: Queue,
    key: tuple[str, str],
    worker: str,
    assignments: str,
    params: dict,
    attempt: bool = True,
) -> bool:
    first, second = queue.key
    attempts = "attempts = attempts + 1, " if attempt else ""
    cur = conn.execute(
        f"""UPDATE {queue.table} SET {assignments}, {attempts}updated_at = now(),
                locked_at = NULL, locked_by = NULL
            WHERE {first} = %(k1)s AND {second} = %(k2)s AND status = 'processing' AND locked_by = %(worker)s""",
        {**params, "k1": key[0], "k2": key[1], "worker": worker},
    )
    return cur.rowcount == 1


def _finish(conn, queue: Queue, key: tuple[str, str], worker: str, status: str, reason: str | None) -> bool:
    return _settle(
        conn,
        queue,
        key,
        worker,
        f"status = '{status}', finished_at = now(), last_error = %(reason)s",
        {"reason": reason},
    )


def mark_done(conn: psycopg.Connection, queue: Queue, key: tuple[str, str], worker: str) -> bool:
    """The job succeeded; False when the lease was lost (the result must then not be kept)."""
    return _finish(conn, queue, key, worker, "done", None)


def mark_error(
    conn: psycopg.Connection, queue: Queue, key: tuple[str, str], worker: str, reason: str
) -> bool:
    """The job failed for a reason retrying will not fix; it waits for a promotion or re-enqueue."""
    return _finish(conn, queue, key, worker, "error", reason[:1000])


def mark_canceled(
    conn: psycopg.Connection, queue: Queue, key: tuple[str, str], worker: str, reason: str
) -> bool:
    """The job no longer matches its post (text or images changed since it was queued)."""
    return _finish(conn, queue, key, worker, "canceled", reason)


def release(
    conn: psycopg.Connection,
    queue: Queue,
    key: tuple[str, str],
    worker: str,
    reason: str,
    delay_seconds: float,
    attempt: bool = True,
) -> bool:
    """Transient failure (`attempt`) or a job the batch never reached: back to `queued`, due after the delay."""
    return _settle(
        conn,
        queue,
        key,
        worker,
        "status = 'queued', next_attempt_at = now() + make_interval(secs => %(delay)s), last_error = %(reason)s",
        {"reason": reason[:1000], "delay": delay_seconds},
        attempt,
    )


def release_pending(
    postgres, queue: Queue, jobs: set, worker: str, reason: str, delay_seconds: float, attempt: bool
) -> int:
    """A batch's end: the jobs it leased but did not settle go back to `queued`, in one transaction."""
    released = 0
    if jobs:
        with postgres.transaction() as conn:
            for job in sorted(jobs):
                released += release(conn, queue, job, worker, reason, delay_seconds, attempt=attempt)
    return released
