"""Ingest of one crawl file into the IS warehouse: one transaction, set-based statements.

Each table's rows are COPied into a temporary table and merged with one statement
(INSERT … ON CONFLICT, UPDATE … FROM, DELETE … USING), so a file costs a fixed number of round
trips whatever its size (the legacy ingest ran a SELECT and an INSERT/UPDATE per post). The whole
file lands or nothing does; an SQL error propagates (nothing is swallowed). Ingests take one
transaction-scoped advisory lock, so overlapping files never race on (site, post_id).

Change detection on posts: a new post is inserted; a post whose text, title, tags, media counts or
other shown fields changed is updated and gets a new version (and a new `text_rev` when its text
changed); a post whose only changes are counts (views, likes, dislikes, comments) gets the counts
updated without a version (legacy defect A11-1); an unchanged post is left alone. A post the
crawler found deleted (legacy defect A11-4) is flagged `is_deleted`, keeps its last text, title and
counts, loses its images and embeds, and gets no version and no snapshot. Re-ingesting a
file therefore changes nothing: snapshots are keyed by (post, crawl time) and every upsert skips
rows that would not change.
"""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from dag_is.lib import rows
from dag_is.lib.crawlfile import CrawlDocument
from dag_is.lib.ddl import ensure_schema
from dag_is.lib.signatures import signatures

if TYPE_CHECKING:
    import psycopg

LOCK_KEY = 0x15_1A6E57  # advisory lock of the IS ingest
_POST_TYPES = (
    "text", "text", "text", "text", "text", "text", "text", "text", "timestamptz", "text", "text", "text",
    "text", "jsonb", "integer", "integer", "integer", "integer", "integer", "integer", "timestamptz",
    "boolean", "text",
)  # fmt: skip
_COMMENT_TYPES = (
    "text", "text", "text", "text", "text", "integer", "text", "text", "text", "text", "text",
    "timestamptz", "integer", "integer", "integer", "boolean",
)  # fmt: skip
_EMBED_TYPES = ("text",) * 11
_SHOWN = ("url", "title", "author", "avatar", "timestamp", "content", "content_html", "content_hash",
          "category", "tags", "image_count", "embed_count", "is_deleted")  # fmt: skip
_COUNTS = ("view_count", "like_count", "dislike_count", "comment_count")


@dataclass
class IngestReport:
    posts: Counter = field(default_factory=Counter)
    rows: dict[str, int] = field(default_factory=dict)
    post_ids: list[str] = field(default_factory=list)


def _temp_table(
    conn: psycopg.Connection, name: str, columns: tuple[str, ...], types: tuple[str, ...]
) -> None:
    spec = ", ".join(f'"{c}" {t}' for c, t in zip(columns, types))
    conn.execute(f"CREATE TEMP TABLE {name} ({spec}) ON COMMIT DROP")


def _copy(conn: psycopg.Connection, table: str, columns: tuple[str, ...], data, binary_types=None) -> int:
    """COPY rows into a table; `binary_types` (type names) switches to binary COPY (bytea columns)."""
    count = 0
    names = ", ".join(f'"{c}"' for c in columns)
    statement = f"COPY {table} ({names}) FROM STDIN" + (" (FORMAT BINARY)" if binary_types else "")
    with conn.cursor() as cur, cur.copy(statement) as copy:
        if binary_types:
            copy.set_types(list(binary_types))
        for row in data:
            copy.write_row(row)
            count += 1
    return count


def _rowcount(conn: psycopg.Connection, statement: str, params=None) -> int:
    with conn.cursor() as cur:
        cur.execute(statement, params)
        return max(cur.rowcount, 0)


def _roomy_temp_buffers(conn: psycopg.Connection) -> None:
    """Keep the file's temporary tables in memory (Postgres allows this only before a session's
    first temporary table; on a session that already had one the setting simply stays)."""
    import psycopg

    try:
        with conn.transaction():
            conn.execute("SET LOCAL temp_buffers = '256MB'")
    except psycopg.errors.InvalidParameterValue:
        pass


def ingest_document(conn: psycopg.Connection, document: CrawlDocument) -> IngestReport:
    """Merge one validated crawl file; call inside a transaction (the caller commits)."""
    conn.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_KEY,))
    _roomy_temp_buffers(conn)
    ensure_schema(conn)
    posts = rows.unique_posts(document.posts)
    report = IngestReport()
    _stage_posts(conn, posts, document.meta.get("crawled_at"))
    changes = conn.execute("SELECT change, count(*) FROM post_changes GROUP BY change").fetchall()
    report.posts.update(dict(changes))
    wanted = _signature_targets(conn)
    chosen = [p for p in posts if rows.crawler_id(p) in wanted]
    # Signatures are numpy work: computed in a thread while Postgres merges the other tables.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(lambda: list(zip(chosen, signatures(chosen))))
        report.rows["posts"] = _merge_posts(conn)
        report.rows["post_versions"] = _merge_versions(conn)
        report.rows["post_comments"] = _merge_comments(conn, posts)
        report.rows["post_images"] = _merge_images(conn, posts)
        report.rows["post_embeds"] = _merge_embeds(conn, posts)
        report.rows["post_snapshots"] = _rowcount(
            conn,
            """INSERT INTO post_snapshots (post_id, "timestamp", view_count, like_count, dislike_count, comment_count)
               SELECT key, crawled_at, view_count, like_count, dislike_count, comment_count
               FROM post_changes WHERE crawled_at IS NOT NULL AND NOT is_deleted
               ON CONFLICT (post_id, "timestamp") DO NOTHING""",
        )
        report.rows["sites"] = _merge_sites(conn, document)
        report.rows["post_signatures"] = _write_signatures(conn, wanted, pending.result())
    report.post_ids = [r[0] for r in conn.execute("SELECT key FROM post_changes ORDER BY key").fetchall()]
    return report


def _stage_posts(conn: psycopg.Connection, posts: list[dict], crawled_at: str | None) -> None:
    _temp_table(conn, "in_posts", rows.POST_COLUMNS, _POST_TYPES)
    _copy(conn, "in_posts", rows.POST_COLUMNS, (rows.post_row(p, crawled_at) for p in posts))
    shown_old = ", ".join(f'p."{c}"' for c in _SHOWN)
    shown_new = ", ".join(f'i."{c}"' for c in _SHOWN)
    counts_old = ", ".join(f'p."{c}"' for c in _COUNTS)
    counts_new = ", ".join(f'i."{c}"' for c in _COUNTS)
    conn.execute(
        f"""CREATE TEMP TABLE post_changes ON COMMIT DROP AS
        SELECT i.*, COALESCE(p.id, i.id) AS key,
          CASE WHEN p.id IS NULL THEN 'new'
               WHEN i.is_deleted THEN
                 CASE WHEN p.is_deleted AND (p.image_count, p.embed_count) = (i.image_count, i.embed_count)
                      THEN 'same' ELSE 'deleted' END
               WHEN ({shown_old}) IS DISTINCT FROM ({shown_new}) THEN 'changed'
               WHEN ({counts_old}) IS DISTINCT FROM ({counts_new}) THEN 'counts'
               ELSE 'same' END AS change,
          NOT i.is_deleted AND (p.id IS NULL OR (p.title, p.content, p.content_hash, p.tags)
                         IS DISTINCT FROM (i.title, i.content, i.content_hash, i.tags)) AS text_changed
        FROM in_posts i LEFT JOIN posts p ON p.site = i.site AND p.post_id = i.post_id"""
    )
    conn.execute("CREATE INDEX ON post_changes (id)")
    conn.execute("ANALYZE post_changes")


def _merge_posts(conn: psycopg.Connection) -> int:
    columns = [c for c in rows.POST_COLUMNS if c != "text_rev"]
    names = ", ".join(f'"{c}"' for c in columns)
    inserted = _rowcount(
        conn,
        f"""INSERT INTO posts ({names}) SELECT {names} FROM post_changes WHERE change = 'new'
            ON CONFLICT (site, post_id) DO NOTHING""",
    )
    updates = ", ".join(f'"{c}" = c."{c}"' for c in columns if c not in ("id", "post_id", "site"))
    changed = _rowcount(
        conn,
        f"""UPDATE posts p SET {updates}, updated_at = now()
            FROM post_changes c WHERE c.change = 'changed' AND p.id = c.key""",
    )
    # A post found deleted keeps its last text, title and counts; it is flagged and loses its media.
    deleted = _rowcount(
        conn,
        """UPDATE posts p SET is_deleted = true, image_count = c.image_count, embed_count = c.embed_count,
                              crawled_at = c.crawled_at, updated_at = now()
           FROM post_changes c WHERE c.change = 'deleted' AND p.id = c.key""",
    )
    count_updates = ", ".join(f'"{c}" = c."{c}"' for c in _COUNTS)
    counted = _rowcount(
        conn,
        f"""UPDATE posts p SET {count_updates}, crawled_at = c.crawled_at
            FROM post_changes c WHERE c.change = 'counts' AND p.id = c.key""",
    )
    conn.execute(
        """INSERT INTO post_enrichment (post_id, text_rev)
           SELECT key, text_rev FROM post_changes WHERE change IN ('new', 'changed') AND text_changed
           ON CONFLICT (post_id) DO UPDATE SET text_rev = EXCLUDED.text_rev
           WHERE post_enrichment.text_rev IS DISTINCT FROM EXCLUDED.text_rev"""
    )
    return inserted + changed + deleted + counted


def _merge_versions(conn: psycopg.Connection) -> int:
    return _rowcount(
        conn,
        """INSERT INTO post_versions (post_id, version, title, content, content_html, content_hash, changed_at)
           SELECT c.key, COALESCE(v.last, 0) + 1, c.title, c.content, c.content_html, c.content_hash,
                  COALESCE(c.crawled_at, now())
           FROM post_changes c
           LEFT JOIN (SELECT post_id, max(version) AS last FROM post_versions
                      WHERE post_id IN (SELECT key FROM post_changes) GROUP BY post_id) v ON v.post_id = c.key
           WHERE c.change IN ('new', 'changed') AND c.text_changed
           ON CONFLICT (post_id, content_hash) DO NOTHING""",
    )


def _merge_comments(conn: psycopg.Connection, posts: list[dict]) -> int:
    """Comments of posts new to the table (and without comments) are COPied straight in; the
    others go through a temporary table and one upsert that skips unchanged rows."""
    fresh_posts = {
        r[0]
        for r in conn.execute(
            """SELECT c.id FROM post_changes c WHERE c.change = 'new'
               AND NOT EXISTS (SELECT 1 FROM post_comments pc WHERE pc.post_id = c.key)"""
        ).fetchall()
    }
    seen: dict[str, tuple] = {}
    for post in posts:
        for row in rows.comment_rows(post):
            seen.pop(row[1], None)
            seen[row[1]] = row
    fresh = [row for row in seen.values() if row[0] in fresh_posts]
    rest = [row for row in seen.values() if row[0] not in fresh_posts]
    written = _copy(conn, "post_comments", ("post_id", *rows.COMMENT_COLUMNS[1:]), fresh) if fresh else 0
    if not rest:
        return written
    _temp_table(conn, "in_comments", rows.COMMENT_COLUMNS, _COMMENT_TYPES)
    _copy(conn, "in_comments", rows.COMMENT_COLUMNS, rest)
    columns = rows.COMMENT_COLUMNS[2:]
    names = ", ".join(f'"{c}"' for c in columns)
    return written + _rowcount(
        conn,
        f"""INSERT INTO post_comments (id, post_id, {names})
            SELECT i.id, c.key, {", ".join(f'i."{col}"' for col in columns)}
            FROM in_comments i JOIN post_changes c ON c.id = i.src_id
            ON CONFLICT (id) DO UPDATE SET post_id = EXCLUDED.post_id, {
            ", ".join(f'"{col}" = EXCLUDED."{col}"' for col in columns)
        }
            WHERE (post_comments.post_id, {", ".join(f'post_comments."{col}"' for col in columns)})
                  IS DISTINCT FROM (EXCLUDED.post_id, {", ".join(f'EXCLUDED."{col}"' for col in columns)})""",
    )


def _merge_images(conn: psycopg.Connection, posts: list[dict]) -> int:
    _temp_table(conn, "in_images", rows.IMAGE_COLUMNS, ("text", "text", "text"))
    _copy(conn, "in_images", rows.IMAGE_COLUMNS, (r for p in posts for r in rows.image_rows(p)))
    removed = _rowcount(
        conn,
        """DELETE FROM post_images pi USING post_changes c
           WHERE pi.post_id = c.key
             AND NOT EXISTS (SELECT 1 FROM in_images i WHERE i.src_id = c.id AND i.url_hash = pi.url_hash)""",
    )
    conn.execute(
        """CREATE TEMP TABLE added_images ON COMMIT DROP AS
           WITH added AS (
             INSERT INTO post_images (post_id, url, url_hash)
             SELECT c.key, i.url, i.url_hash FROM in_images i JOIN post_changes c ON c.id = i.src_id
             ON CONFLICT (post_id, url_hash) DO NOTHING
             RETURNING post_id, url, url_hash)
           SELECT * FROM added"""
    )
    added = conn.execute("SELECT count(*) FROM added_images").fetchone()[0]
    conn.execute(
        """INSERT INTO media_enrichment_jobs (post_id, url_hash, image_url, priority, status)
           SELECT post_id, url_hash, url, 'P1', 'queued' FROM added_images
           ON CONFLICT (post_id, url_hash) DO NOTHING"""
    )
    return removed + added


def _merge_embeds(conn: psycopg.Connection, posts: list[dict]) -> int:
    _temp_table(conn, "in_embeds", rows.EMBED_COLUMNS, _EMBED_TYPES)
    _copy(conn, "in_embeds", rows.EMBED_COLUMNS, (r for p in posts for r in rows.embed_rows(p)))
    removed = _rowcount(
        conn,
        """DELETE FROM post_embeds pe USING post_changes c
           WHERE pe.post_id = c.key
             AND NOT EXISTS (SELECT 1 FROM in_embeds i WHERE i.src_id = c.id AND i.url_hash = pe.url_hash)""",
    )
    fields = ("type", "provider", "mime_type", "url", "video_id", "thumbnail", "title", "description")
    names = ", ".join(f'"{f}"' for f in fields)
    upserted = _rowcount(
        conn,
        f"""INSERT INTO post_embeds (post_id, url_hash, {names})
            SELECT c.key, i.url_hash, {", ".join(f'i."{f}"' for f in fields)}
            FROM in_embeds i JOIN post_changes c ON c.id = i.src_id
            ON CONFLICT (post_id, url_hash) DO UPDATE SET {", ".join(f'"{f}" = EXCLUDED."{f}"' for f in fields)}
            WHERE ({", ".join(f'post_embeds."{f}"' for f in fields)})
                  IS DISTINCT FROM ({", ".join(f'EXCLUDED."{f}"' for f in fields)})""",
    )
    conn.execute(
        """INSERT INTO media_enrichment_jobs (post_id, url_hash, image_url, priority, status)
           SELECT DISTINCT ON (c.key, md5(i.image_url)) c.key, md5(i.image_url), i.image_url, 'P1', 'queued'
           FROM in_embeds i JOIN post_changes c ON c.id = i.src_id
           WHERE i.image_url IS NOT NULL
           ON CONFLICT (post_id, url_hash) DO NOTHING"""
    )
    return removed + upserted


def _merge_sites(conn: psycopg.Connection, document: CrawlDocument) -> int:
    return _rowcount(
        conn,
        """INSERT INTO sites (id, board, last_crawled_at)
           SELECT site, board, max(at) FROM (
             SELECT site, board, crawled_at AS at FROM post_changes
             UNION ALL SELECT %s, %s, %s::timestamptz) s
           WHERE at IS NOT NULL GROUP BY site, board
           ON CONFLICT (id, board) DO UPDATE SET last_crawled_at = EXCLUDED.last_crawled_at
           WHERE sites.last_crawled_at IS NULL OR sites.last_crawled_at < EXCLUDED.last_crawled_at""",
        (document.meta["site"], document.meta["board"], document.meta.get("crawled_at")),
    )


def _signature_targets(conn: psycopg.Connection) -> dict[str, str]:
    """Crawler id → post key of the posts that are new, changed or have no signature yet."""
    return dict(
        conn.execute(
            """SELECT c.id, c.key FROM post_changes c LEFT JOIN post_signatures s ON s.post_id = c.key
               WHERE c.change IN ('new', 'changed') OR s.post_id IS NULL"""
        ).fetchall()
    )


def _write_signatures(conn: psycopg.Connection, wanted: dict[str, str], computed: list) -> int:
    """Replace the signatures of the wanted posts: DELETE then binary COPY (1 KiB bytea values)."""
    if not computed:
        return 0
    keys = [wanted[rows.crawler_id(post)] for post, _ in computed]
    conn.execute("DELETE FROM post_signatures WHERE post_id = ANY(%s)", (keys,))
    columns = ("post_id", "text_simhash64", "text_minhash128", "gallery_minhash128", "embed_minhash128",
               "image_count", "embed_count")  # fmt: skip
    data = (
        (
            key,
            s.text_simhash64,
            s.text_minhash128,
            s.gallery_minhash128,
            s.embed_minhash128,
            len(dict.fromkeys(post["images"])),
            len({e["url"] for e in post["embeddedContent"]}),
        )
        for key, (post, s) in zip(keys, computed)
    )
    return _copy(
        conn, "post_signatures", columns, data, ("text", "text", "bytea", "bytea", "bytea", "int4", "int4")
    )
