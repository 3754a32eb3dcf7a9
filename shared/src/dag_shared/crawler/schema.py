"""The one crawl-output schema every board crawler writes (legacy spec A5.3, without fmkorea's divergences).

A crawl file is `[{"meta": CrawlMeta, "posts": [Post, ...]}]`, indented by 2 spaces. Every site
fills the same keys: a field a board does not show is `None` (numbers, text) or empty (lists), never
missing. `content_hash` is always md5 of the plain-text `content`, comment ids are always
`<site>-<board>-<post_id>_<comment id>`, and a deleted or restricted post is emitted with
`isDeleted: true` instead of being dropped.
"""

from __future__ import annotations

import hashlib
from typing import Any, TypedDict

CRAWLER_VERSION = "dag-crawler-1"


class Embed(TypedDict):
    """One embedded object: `type` is `youtube`, `x` (tweets), `video` or `iframe`."""

    type: str
    url: str
    provider: str | None
    videoId: str | None
    thumbnail: str | None
    title: str | None
    description: str | None
    mimeType: str | None


class Comment(TypedDict):
    """One comment with its replies (a tree); `timestamp` is a UTC ISO string or None."""

    id: str
    author: str | None
    avatar: str | None
    content: str | None
    timestamp: str | None
    isReply: bool
    replies: list[Comment]
    likeCount: int | None
    dislikeCount: int | None
    reactionCount: int | None
    raw: str | None
    html: str | None
    depth: int
    parentId: str | None
    isDeleted: bool


class Post(TypedDict):
    """One post, keys in the order they are written."""

    post_id: str
    id: str
    url: str
    site: str
    board: str
    title: str
    author: str | None
    avatar: str | None
    timestamp: str | None
    view_count: int | None
    like_count: int | None
    dislike_count: int | None
    category: str | None
    tags: list[str]
    content: str
    contentHtml: str
    content_hash: str
    images: list[str]
    embeddedContent: list[Embed]
    crawledAt: str
    comments: list[Comment]
    image_count: int
    embed_count: int
    comment_count: int
    isDeleted: bool


class CrawlConfig(TypedDict, total=False):
    mode: str
    max_pages: int | None
    max_requests: int | None
    incremental: bool
    last_stop_id: str | None
    hours: float | None
    minutes: float | None
    cutoff_date: str | None


class CrawlMeta(TypedDict):
    site: str
    board: str
    crawled_at: str
    crawler_version: str
    total_posts: int
    pages_crawled: int
    crawl_config: CrawlConfig


class CrawlFile(TypedDict):
    meta: CrawlMeta
    posts: list[Post]


def md5_hex(text: str) -> str:
    return hashlib.md5(text.encode("utf-8")).hexdigest()


def post_key(site: str, board: str, post_id: str) -> str:
    """The post's stable `id`: the first 16 hex digits of md5(`<site>-<board>-<post_id>`)."""
    return md5_hex(f"{site}-{board}-{post_id}")[:16]


def comment_key(site: str, board: str, post_id: str, comment_id: str) -> str:
    return f"{site}-{board}-{post_id}_{comment_id}"


def count_comments(comments: list[Comment]) -> int:
    """Size of a comment tree, replies included."""
    return sum(1 + count_comments(c["replies"]) for c in comments)


def embed_counts_by_type(posts: list[Post]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for post in posts:
        for embed in post["embeddedContent"]:
            counts[embed["type"]] = counts.get(embed["type"], 0) + 1
    return dict(sorted(counts.items()))


def crawl_file(meta: CrawlMeta, posts: list[Post]) -> list[dict[str, Any]]:
    """The document written to disk: a one-element array, as readers of the legacy files expect."""
    return [{"meta": meta, "posts": posts}]
