"""The enrichment tables (legacy spec A7.1, A8): queues, per-image results, front-page exposure.

`post_enrichment` and `media_enrichment_jobs` are created by the ingest (`ddl.py`, they are written
there first); this module adds what only the enrichment writes or reads: `fusion_jobs`,
`post_image_enrichment`, `post_rotation` (written by the web front page, read by the P0 promotion),
and the indexes the queue claims use. Idempotent; every enrichment asset runs it first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dag_is.lib.ddl import QUEUE_COLUMNS
from dag_is.lib.ddl import ensure_schema as ensure_ingest_schema

if TYPE_CHECKING:
    import psycopg

STATEMENTS = (
    f"""CREATE TABLE IF NOT EXISTS fusion_jobs (
        post_id text NOT NULL,
        rev_key text NOT NULL,
{QUEUE_COLUMNS}        CONSTRAINT fusion_jobs_post_id_rev_key_key UNIQUE (post_id, rev_key),
        CONSTRAINT fusion_jobs_priority_check CHECK (priority IN ('P0', 'P1')),
        CONSTRAINT fusion_jobs_status_check
            CHECK (status IN ('queued', 'processing', 'done', 'error', 'canceled'))
    )""",
    "CREATE INDEX IF NOT EXISTS fusion_jobs_due_idx ON fusion_jobs (priority, created_at) WHERE status = 'queued'",
    "CREATE INDEX IF NOT EXISTS fusion_jobs_processing_idx ON fusion_jobs (locked_at) WHERE status = 'processing'",
    """CREATE INDEX IF NOT EXISTS media_enrichment_jobs_due_idx ON media_enrichment_jobs (priority, next_attempt_at)
        WHERE status = 'queued'""",
    """CREATE INDEX IF NOT EXISTS media_enrichment_jobs_processing_idx ON media_enrichment_jobs (locked_at)
        WHERE status = 'processing'""",
    """CREATE TABLE IF NOT EXISTS post_image_enrichment (
        post_id text NOT NULL,
        url_hash text NOT NULL,
        image_url text NOT NULL,
        model text NOT NULL,
        version integer NOT NULL DEFAULT 2,
        route text,
        caption text,
        labels jsonb NOT NULL DEFAULT '[]'::jsonb,
        ocr_lines jsonb NOT NULL DEFAULT '[]'::jsonb,
        safety jsonb,
        objects jsonb NOT NULL DEFAULT '[]'::jsonb,
        colors jsonb NOT NULL DEFAULT '[]'::jsonb,
        features jsonb,
        embedding real[],
        enriched_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT post_image_enrichment_post_id_url_hash_key UNIQUE (post_id, url_hash)
    )""",
    "CREATE INDEX IF NOT EXISTS post_image_enrichment_enriched_at_idx ON post_image_enrichment (enriched_at)",
    """CREATE TABLE IF NOT EXISTS post_rotation (
        post_id text PRIMARY KEY,
        last_shown_at timestamptz NOT NULL
    )""",
)


def ensure_enrichment_schema(conn: psycopg.Connection) -> None:
    """Create the ingest tables and the enrichment tables that do not exist yet (idempotent)."""
    # Concurrent first runs would race on the catalogue; the lock ends with the caller's transaction.
    conn.execute("SELECT pg_advisory_xact_lock(hashtext('dag_is.ddl_enrichment'))")
    ensure_ingest_schema(conn)
    for statement in STATEMENTS:
        conn.execute(statement)
