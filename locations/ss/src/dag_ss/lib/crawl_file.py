"""Reading one crawl file in the shared crawl output schema (`[{meta, posts}]` or `{meta, posts}`).

A file that is not that shape fails with an error naming the file and, for broken JSON, the line
and column. A post without an id, URL or title, or marked `isDeleted`, is not loaded; it is
counted with its reason.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any


class CrawlFileError(ValueError):
    """The file is not a crawl file of the shared schema; the message names the file and position."""


@dataclass
class CrawlFile:
    path: Path
    meta: dict[str, Any]
    posts: list[dict[str, Any]]
    rejected: Counter = field(default_factory=Counter)
    duplicates: int = 0


def parse_timestamp(value: Any) -> datetime | None:
    """An ISO timestamp with a zone, else None (naive or unparseable values are not guessed)."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().replace(",", "").isdigit():
        return int(value.strip().replace(",", ""))
    return None


def _reject_reason(post: Any) -> str | None:
    if not isinstance(post, dict):
        return "not_an_object"
    if post.get("isDeleted") is True:
        return "deleted"
    post_id = post.get("post_id")
    if not isinstance(post_id, (str, int)) or isinstance(post_id, bool) or not str(post_id).strip():
        return "missing_post_id"
    if not isinstance(post.get("url"), str) or not post["url"].strip():
        return "missing_url"
    if not isinstance(post.get("title"), str):
        return "missing_title"
    return None


def clean_post(post: dict[str, Any]) -> dict[str, Any]:
    """The fields SS uses, with their types checked (bad numbers become None)."""
    comments = post.get("comments")
    return {
        "post_id": str(post["post_id"]).strip(),
        "url": post["url"].strip(),
        "site": str(post.get("site") or ""),
        "board": str(post.get("board") or ""),
        "title": post["title"],
        "author": post.get("author") if isinstance(post.get("author"), str) else None,
        "posted_at": parse_timestamp(post.get("timestamp")),
        "view_count": _as_int(post.get("view_count")),
        "like_count": _as_int(post.get("like_count")),
        "comment_count": _as_int(post.get("comment_count")),
        "content": post.get("content") if isinstance(post.get("content"), str) else "",
        "comments": comments if isinstance(comments, list) else [],
    }


def read_crawl_file(path: Path) -> CrawlFile:
    """The file's meta and cleaned posts (first occurrence of a post id kept, later ones counted)."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise CrawlFileError(f"{path}: not UTF-8 (byte {error.start})") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise CrawlFileError(
            f"{path}: invalid JSON at line {error.lineno}, column {error.colno}: {error.msg}"
        ) from None
    if isinstance(document, list):
        if len(document) != 1 or not isinstance(document[0], dict):
            raise CrawlFileError(
                f"{path}: expected a one-element array [{{meta, posts}}], got {len(document)} elements"
            )
        document = document[0]
    if not isinstance(document, dict) or not isinstance(document.get("posts"), list):
        raise CrawlFileError(f"{path}: no 'posts' array at the top level")
    meta = document.get("meta") if isinstance(document.get("meta"), dict) else {}
    crawl = CrawlFile(path=path, meta=meta, posts=[])
    seen: set[str] = set()
    for post in document["posts"]:
        reason = _reject_reason(post)
        if reason:
            crawl.rejected[reason] += 1
            continue
        cleaned = clean_post(post)
        if cleaned["post_id"] in seen:
            crawl.duplicates += 1
            continue
        seen.add(cleaned["post_id"])
        crawl.posts.append(cleaned)
    return crawl
