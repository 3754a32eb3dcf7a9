"""Crawl-file posts flattened into the rows of each ingest table (pure Python, no database).

Comments are walked depth first: `path` is the 1-based sibling index of each level, zero-padded to
3 digits and joined with dots (`001.002`), and `root_id` is the thread's top-level comment (itself
for a top-level comment; legacy defect A11-2 gave every thread the first comment's id). A comment
or post repeated in one file is kept once (the last copy), so one upsert never touches a row twice.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from typing import Any

_IMAGE_EXTENSION = re.compile(r"\.(?:jpe?g|png|gif|webp|bmp|avif)(?:$|[?#])", re.IGNORECASE)


def md5_hex(text: str) -> str:
    return hashlib.md5(text.encode("utf-8")).hexdigest()


def crawler_id(post: dict[str, Any]) -> str:
    """The post's `id` from the file, or the one the crawler would have given it."""
    value = post.get("id")
    if isinstance(value, str) and value:
        return value
    return md5_hex(f"{post['site']}-{post['board']}-{post['post_id']}")[:16]


def text_rev(post: dict[str, Any]) -> str:
    """md5 of `title|content|sorted tags as JSON` (spec A7.2)."""
    tags = json.dumps(sorted(str(t) for t in post.get("tags") or []), ensure_ascii=False)
    return md5_hex(f"{post.get('title') or ''}|{post.get('content') or ''}|{tags}")


def unique_posts(posts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    last: dict[tuple[str, str], dict[str, Any]] = {}
    for post in posts:
        last.pop((post["site"], post["post_id"]), None)
        last[(post["site"], post["post_id"])] = post
    return list(last.values())


POST_COLUMNS = (
    "id", "post_id", "site", "board", "url", "title", "author", "avatar", "timestamp", "content",
    "content_html", "content_hash", "category", "tags", "view_count", "like_count", "dislike_count",
    "comment_count", "image_count", "embed_count", "crawled_at", "is_deleted", "text_rev",
)  # fmt: skip


def _flat_count(comments: list[dict[str, Any]]) -> int:
    return sum(1 + _flat_count(c.get("replies") or []) for c in comments)


def post_row(post: dict[str, Any], crawled_at: str | None) -> tuple:
    content = post.get("content") or ""
    return (
        crawler_id(post),
        post["post_id"],
        post["site"],
        post["board"],
        post.get("url"),
        post.get("title") or "",
        post.get("author"),
        post.get("avatar"),
        post.get("timestamp"),
        content,
        post.get("contentHtml") or post.get("content_html") or "",
        post.get("content_hash") or md5_hex(content),
        post.get("category"),
        json.dumps([str(t) for t in post.get("tags") or []], ensure_ascii=False),
        post.get("view_count"),
        post.get("like_count"),
        post.get("dislike_count"),
        _flat_count(post["comments"]),
        len(dict.fromkeys(post["images"])),
        len({e["url"] for e in post["embeddedContent"]}),
        post.get("crawledAt") or crawled_at,
        bool(post.get("isDeleted") or post.get("is_deleted")),
        text_rev(post),
    )


COMMENT_COLUMNS = (
    "src_id", "id", "parent_id", "root_id", "path", "depth", "author", "avatar", "content",
    "content_html", "raw", "timestamp", "like_count", "dislike_count", "reaction_count", "is_deleted",
)  # fmt: skip


def comment_rows(post: dict[str, Any]) -> Iterator[tuple]:
    source = crawler_id(post)
    seen: dict[str, tuple] = {}
    # Depth first with an explicit stack: (comments, parent id, root id, path prefix, depth).
    stack: list[tuple[list, str | None, str | None, str, int]] = [(post["comments"], None, None, "", 0)]
    while stack:
        comments, parent, root, prefix, depth = stack.pop()
        pending = []
        for index, comment in enumerate(comments, start=1):
            get = comment.get
            cid = str(comment["id"])
            path = f"{prefix}.{index:03d}" if prefix else f"{index:03d}"
            top = root or cid
            seen.pop(cid, None)
            seen[cid] = (source, cid, parent, top, path, depth, get("author"), get("avatar"), get("content"),
                         get("html"), get("raw"), get("timestamp"), get("likeCount"), get("dislikeCount"),
                         get("reactionCount"), bool(get("isDeleted")))  # fmt: skip
            if replies := get("replies"):
                pending.append((replies, cid, top, path, depth + 1))
        stack.extend(reversed(pending))
    yield from seen.values()


IMAGE_COLUMNS = ("src_id", "url", "url_hash")


def image_rows(post: dict[str, Any]) -> Iterator[tuple]:
    source = crawler_id(post)
    for url in dict.fromkeys(post["images"]):
        yield (source, url, md5_hex(url))


EMBED_COLUMNS = (
    "src_id", "type", "provider", "mime_type", "url", "url_hash", "video_id", "thumbnail", "title",
    "description", "image_url",
)  # fmt: skip


def embed_image_url(embed: dict[str, Any]) -> str | None:
    """The image an embed shows (queued for the VLM): an image embed's URL or its thumbnail."""
    mime = str(embed.get("mimeType") or embed.get("mime_type") or "")
    if mime.startswith("image/") or _IMAGE_EXTENSION.search(embed["url"]):
        return embed["url"]
    thumbnail = embed.get("thumbnail")
    if thumbnail and _IMAGE_EXTENSION.search(thumbnail):
        return thumbnail
    return None


def embed_rows(post: dict[str, Any]) -> Iterator[tuple]:
    source = crawler_id(post)
    by_url: dict[str, tuple] = {}
    for embed in post["embeddedContent"]:
        kind = str(embed.get("type") or "iframe").lower()
        kind = "x" if kind == "twitter" else kind
        image = embed_image_url(embed)
        by_url[embed["url"]] = (
            source,
            kind,
            embed.get("provider"),
            embed.get("mimeType") or embed.get("mime_type"),
            embed["url"],
            md5_hex(embed["url"]),
            embed.get("videoId") or embed.get("video_id") or None,
            embed.get("thumbnail"),
            embed.get("title"),
            embed.get("description"),
            image,
        )
    yield from by_url.values()
