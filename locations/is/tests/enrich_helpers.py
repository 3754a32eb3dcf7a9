"""Helpers of the enrichment tests: generated images with text and posts written straight into a fresh
warehouse (the local model server is `dag_shared.testing_chat_server`)."""

from __future__ import annotations

import hashlib
import io
import json
from typing import Any

import psycopg
from dag_is.lib.ddl_enrichment import ensure_enrichment_schema

FONT = "/usr/share/fonts/truetype/nanum/NanumGothic.ttf"


def user_document(body: dict[str, Any]) -> dict[str, Any]:
    """The JSON document of a fusion request's user message."""
    return json.loads(body["messages"][-1]["content"])


def text_image(lines: list[str], size: int = 44) -> bytes:
    """A PNG with the lines in black on white, drawn with a Korean font."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(FONT, size)
    image = Image.new("RGB", (900, 80 + len(lines) * (size + 30)), "white")
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(lines):
        draw.text((40, 40 + i * (size + 30)), line, fill="black", font=font)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


def add_post(
    url: str,
    post_id: str,
    title: str,
    content: str,
    images: list[str] = (),
    timestamp: str = "2026-11-29T10:00:00+00",
) -> str:
    """A live post with its text_rev (as the ingest writes it) and its images queued at P1."""
    with psycopg.connect(url) as conn:
        ensure_enrichment_schema(conn)
        conn.execute(
            """INSERT INTO posts (id, post_id, site, board, title, content, "timestamp", image_count)
               VALUES (%s, %s, 'clien', 'park', %s, %s, %s, %s)""",
            (post_id, post_id, title, content, timestamp, len(images)),
        )
        conn.execute(
            "INSERT INTO post_enrichment (post_id, text_rev) VALUES (%s, %s)",
            (post_id, md5(f"{title}|{content}|[]")),
        )
        for image in images:
            conn.execute(
                "INSERT INTO post_images (post_id, url, url_hash) VALUES (%s, %s, %s)",
                (post_id, image, md5(image)),
            )
            conn.execute(
                "INSERT INTO media_enrichment_jobs (post_id, url_hash, image_url) VALUES (%s, %s, %s)",
                (post_id, md5(image), image),
            )
    return post_id


def rows(url: str, query: str, params=None) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(query, params).fetchall()
