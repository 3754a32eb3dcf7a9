"""Test helpers for the gold steps: posts, signatures and snapshots written straight into the tables."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import psycopg
from dag_is.lib.ddl_trends import ensure_gold_schema
from dag_is.lib.signatures import embed_tokens, image_tokens, signatures

NOW = datetime(2026, 11, 29, 6, 0, tzinfo=UTC)


def connect(url: str) -> psycopg.Connection:
    conn = psycopg.connect(url, autocommit=False)
    with conn.transaction():
        ensure_gold_schema(conn)
    return conn


def add_posts(conn: psycopg.Connection, posts: list[dict]) -> None:
    """Posts with signatures: dicts with id and optional site, title, content, images, embeds,
    posted (datetime), likes, comments, deleted."""
    sigs = signatures(
        [
            {"title": p.get("title", ""), "content": p.get("content", ""), "images": p.get("images", []),
             "embeddedContent": p.get("embeds", [])}
            for p in posts
        ]
    )  # fmt: skip
    with conn.transaction():
        for p, s in zip(posts, sigs):
            conn.execute(
                """INSERT INTO posts (id, post_id, site, board, title, content, "timestamp", like_count,
                       comment_count, view_count, is_deleted)
                   VALUES (%s, %s, %s, 'b', %s, %s, %s, %s, %s, 0, %s)""",
                (p["id"], p["id"], p.get("site", "clien"), p.get("title", ""), p.get("content", ""),
                 p.get("posted", NOW - timedelta(hours=1)), p.get("likes", 0), p.get("comments", 0),
                 p.get("deleted", False)),
            )  # fmt: skip
            conn.execute(
                """INSERT INTO post_signatures (post_id, text_simhash64, text_minhash128, gallery_minhash128,
                       embed_minhash128, image_count, embed_count) VALUES (%s, %s, %s, %s, %s, %s, %s)""",
                (p["id"], s.text_simhash64, s.text_minhash128, s.gallery_minhash128, s.embed_minhash128,
                 len(image_tokens(p.get("images", []))), len(embed_tokens(p.get("embeds", [])))),
            )  # fmt: skip


def add_snapshots(conn: psycopg.Connection, rows: list[tuple]) -> None:
    """(post_id, timestamp, view, like, comment) snapshot rows."""
    with conn.transaction():
        for post_id, at, views, likes, comments in rows:
            conn.execute(
                """INSERT INTO post_snapshots (post_id, "timestamp", view_count, like_count, dislike_count,
                       comment_count) VALUES (%s, %s, %s, %s, 0, %s)""",
                (post_id, at, views, likes, comments),
            )


def clusters_of(conn: psycopg.Connection) -> list[set[str]]:
    rows = conn.execute("SELECT cluster_id::text, post_id FROM cluster_posts ORDER BY post_id").fetchall()
    groups: dict[str, set[str]] = {}
    for cluster_id, post_id in rows:
        groups.setdefault(cluster_id, set()).add(post_id)
    return sorted(groups.values(), key=lambda g: sorted(g))


def table(conn: psycopg.Connection, sql: str) -> list[tuple]:
    return conn.execute(sql).fetchall()
