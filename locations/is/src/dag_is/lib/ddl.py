"""The IS warehouse schema (legacy spec A7.1, the tables the ingest writes), created idempotently.

The legacy schema lived in a separate web application; here every table the pipeline writes is
declared in the project. `ensure_schema` is safe to run at the start of every ingest. Child tables
carry `post_id` = `posts.id` without a foreign key: the ingest writes children only by joining the
posts of the same transaction, and a per-row foreign-key check would double the cost of a load.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import psycopg

# The columns every job queue carries (`media_enrichment_jobs` here, `fusion_jobs` in ddl_enrichment):
# priority and due time, status, the lease of the worker settling it, attempts and the last error.
QUEUE_COLUMNS = """        priority text NOT NULL DEFAULT 'P1',
        status text NOT NULL DEFAULT 'queued',
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz,
        locked_at timestamptz,
        locked_by text,
        attempts integer NOT NULL DEFAULT 0,
        last_error text,
"""

STATEMENTS = (
    """CREATE TABLE IF NOT EXISTS posts (
        id text PRIMARY KEY,
        post_id text NOT NULL,
        site text NOT NULL,
        board text NOT NULL,
        url text,
        title text,
        author text,
        avatar text,
        "timestamp" timestamptz,
        content text,
        content_html text,
        content_hash text,
        category text,
        tags jsonb NOT NULL DEFAULT '[]'::jsonb,
        view_count integer,
        like_count integer,
        dislike_count integer,
        comment_count integer,
        image_count integer,
        embed_count integer,
        crawled_at timestamptz,
        is_deleted boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT posts_site_post_id_key UNIQUE (site, post_id)
    )""",
    """CREATE TABLE IF NOT EXISTS post_versions (
        post_id text NOT NULL,
        version integer NOT NULL,
        title text,
        content text,
        content_html text,
        content_hash text NOT NULL,
        changed_at timestamptz,
        CONSTRAINT post_versions_post_id_content_hash_key UNIQUE (post_id, content_hash),
        CONSTRAINT post_versions_post_id_version_key UNIQUE (post_id, version)
    )""",
    """CREATE TABLE IF NOT EXISTS post_comments (
        id text PRIMARY KEY,
        post_id text NOT NULL,
        parent_id text,
        root_id text NOT NULL,
        path text NOT NULL,
        depth integer NOT NULL,
        author text,
        avatar text,
        content text,
        content_html text,
        raw text,
        "timestamp" timestamptz,
        like_count integer,
        dislike_count integer,
        reaction_count integer,
        is_deleted boolean NOT NULL DEFAULT false
    )""",
    "CREATE INDEX IF NOT EXISTS post_comments_post_id_idx ON post_comments (post_id)",
    """CREATE TABLE IF NOT EXISTS post_images (
        post_id text NOT NULL,
        url text NOT NULL,
        url_hash text NOT NULL,
        alt text,
        width integer,
        height integer,
        CONSTRAINT post_images_post_id_url_hash_key UNIQUE (post_id, url_hash)
    )""",
    """CREATE TABLE IF NOT EXISTS post_embeds (
        post_id text NOT NULL,
        type text NOT NULL,
        provider text,
        mime_type text,
        url text NOT NULL,
        url_hash text NOT NULL,
        video_id text,
        thumbnail text,
        title text,
        description text,
        CONSTRAINT post_embeds_post_id_url_hash_key UNIQUE (post_id, url_hash)
    )""",
    """CREATE TABLE IF NOT EXISTS post_snapshots (
        post_id text NOT NULL,
        "timestamp" timestamptz NOT NULL,
        view_count integer,
        like_count integer,
        dislike_count integer,
        comment_count integer,
        CONSTRAINT post_snapshots_post_id_timestamp_key UNIQUE (post_id, "timestamp")
    )""",
    'CREATE INDEX IF NOT EXISTS post_snapshots_timestamp_idx ON post_snapshots ("timestamp")',
    """CREATE TABLE IF NOT EXISTS sites (
        id text NOT NULL,
        board text NOT NULL,
        last_crawled_at timestamptz,
        PRIMARY KEY (id, board)
    )""",
    """CREATE TABLE IF NOT EXISTS post_signatures (
        post_id text PRIMARY KEY,
        text_simhash64 text NOT NULL,
        text_minhash128 bytea NOT NULL,
        gallery_minhash128 bytea NOT NULL,
        embed_minhash128 bytea NOT NULL,
        image_count integer NOT NULL,
        embed_count integer NOT NULL,
        computed_at timestamptz NOT NULL DEFAULT now()
    )""",
    # Signatures are incompressible 1 KiB values: kept in the row, never compressed or toasted.
    """ALTER TABLE post_signatures ALTER COLUMN text_minhash128 SET STORAGE PLAIN,
        ALTER COLUMN gallery_minhash128 SET STORAGE PLAIN, ALTER COLUMN embed_minhash128 SET STORAGE PLAIN""",
    """CREATE TABLE IF NOT EXISTS post_enrichment (
        post_id text PRIMARY KEY,
        text_rev text,
        enriched_at timestamptz,
        image_summary text,
        image_keywords jsonb,
        image_ocr text,
        image_objects jsonb,
        image_colors jsonb,
        image_safety jsonb,
        image_rev text,
        fused_categories jsonb,
        fused_keywords jsonb,
        fused_model text,
        fused_version text,
        fused_at timestamptz,
        fuse_rev text
    )""",
    f"""CREATE TABLE IF NOT EXISTS media_enrichment_jobs (
        post_id text NOT NULL,
        url_hash text NOT NULL,
        image_url text NOT NULL,
{QUEUE_COLUMNS}        CONSTRAINT media_enrichment_jobs_post_id_url_hash_key UNIQUE (post_id, url_hash)
    )""",
)


# Marks a schema made by these exact statements (a comment on `posts`), and the advisory lock that
# serialises making it.
_SCHEMA_MARK = "dag_is schema " + hashlib.sha256("\n".join(STATEMENTS).encode()).hexdigest()[:16]
_SCHEMA_LOCK = int.from_bytes(hashlib.sha256(b"dag_is.ensure_schema").digest()[:4], "big")


def ensure_schema(conn: psycopg.Connection) -> None:
    """Create every ingest table and index that does not exist yet (idempotent).

    Runs call this inside their own transactions. The DDL takes table locks (CREATE INDEX a share
    lock, ALTER TABLE an exclusive one) that concurrent runs would take in different orders, next to
    their writes: two retention passes or ingests deadlocked. So the statements run only when the
    schema is not marked as made by them, under a transaction-scoped advisory lock.
    """
    if _marked(conn):
        return
    conn.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))
    if _marked(conn):  # made by the run we waited for
        return
    for statement in STATEMENTS:
        conn.execute(statement)
    conn.execute(f"COMMENT ON TABLE posts IS '{_SCHEMA_MARK}'")


def _marked(conn: psycopg.Connection) -> bool:
    row = conn.execute("SELECT obj_description(to_regclass('public.posts'), 'pg_class')").fetchone()
    return row is not None and row[0] == _SCHEMA_MARK
