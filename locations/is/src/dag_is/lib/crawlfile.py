"""Reading one crawl file (`[{meta, posts}]` or a bare `{meta, posts}`) with errors that name the file.

Every post is checked for the fields the ingest needs and their types; the first problem fails the
whole file with `CrawlFileError` naming the file and the post (index and post_id), so a malformed
file is never half ingested. Legacy files of the Node crawlers (no `isDeleted`, fmkorea's missing
fields) read as well: missing optional fields become None or empty.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

# A crawl of one board writes a few megabytes; a file this large is not a crawl and is refused
# before it is read into memory.
MAX_CRAWL_FILE_BYTES = 256 * 1024 * 1024


class CrawlFileError(ValueError):
    """A crawl file is not valid JSON or does not have the crawl-file shape."""


@dataclass(frozen=True)
class CrawlDocument:
    path: Path
    meta: dict[str, Any]
    posts: list[dict[str, Any]]


_REQUIRED_TEXT = ("post_id", "site", "board")
_COUNTS = ("view_count", "like_count", "dislike_count")
_POST_TEXT = ("id", "url", "title", "author", "avatar", "content", "contentHtml", "content_hash", "category")
_COMMENT_TEXT = ("author", "avatar", "content", "html", "raw")
_EMBED_TEXT = ("type", "provider", "videoId", "thumbnail", "title", "description", "mimeType")


def _texts(item: dict, fields: tuple[str, ...], path: Path, where: str) -> None:
    for field in fields:
        value = item.get(field)
        if value is not None and not isinstance(value, str):
            raise _fail(path, where, f"{field} is not a text: {str(value)[:40]!r}")


def _fail(path: Path, where: str, problem: str) -> CrawlFileError:
    return CrawlFileError(f"{path}: {where}: {problem}")


def _time(value: Any, path: Path, where: str, field: str) -> str | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise _fail(path, where, f"{field} is not a time text: {value!r}")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise _fail(path, where, f"{field} is not an ISO time: {value!r}") from None
    if moment.tzinfo is None:
        raise _fail(path, where, f"{field} has no time zone: {value!r}")
    return value


def _count(value: Any, path: Path, where: str, field: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise _fail(path, where, f"{field} is not an integer: {value!r}")
    if not -(2**31) <= value < 2**31:
        raise _fail(path, where, f"{field} is out of range: {value!r}")
    return value


def _check_post(post: Any, path: Path, index: int) -> dict[str, Any]:
    where = f"post {index}"
    if not isinstance(post, dict):
        raise _fail(path, where, "is not an object")
    for field in _REQUIRED_TEXT:
        value = post.get(field)
        if not isinstance(value, str) or not value:
            raise _fail(path, where, f"{field} missing or not a text")
    where = f"post {index} (post_id {post['post_id']})"
    _texts(post, _POST_TEXT, path, where)
    for field in _COUNTS:
        post[field] = _count(post.get(field), path, where, field)
    post["timestamp"] = _time(post.get("timestamp"), path, where, "timestamp")
    post["crawledAt"] = _time(post.get("crawledAt"), path, where, "crawledAt")
    for field in ("images", "embeddedContent", "comments", "tags"):
        value = post.get(field)
        if value is None:
            post[field] = []
        elif not isinstance(value, list):
            raise _fail(path, where, f"{field} is not a list")
    if not all(isinstance(url, str) for url in post["images"]):
        raise _fail(path, where, "images holds a non-text URL")
    for embed in post["embeddedContent"]:
        if not isinstance(embed, dict) or not isinstance(embed.get("url"), str):
            raise _fail(path, where, "an embed has no url")
        _texts(embed, _EMBED_TEXT, path, where)
    if not all(isinstance(tag, str) for tag in post["tags"]):
        raise _fail(path, where, "tags holds a non-text tag")
    _check_comments(post["comments"], path, where)
    return post


def _check_comments(comments: list, path: Path, where: str) -> None:
    for comment in comments:
        if not isinstance(comment, dict) or not isinstance(comment.get("id"), (str, int)):
            raise _fail(path, where, f"a comment has no id: {str(comment)[:80]!r}")
        comment_where = f"{where}, comment {comment['id']}"
        _texts(comment, _COMMENT_TEXT, path, comment_where)
        comment["timestamp"] = _time(comment.get("timestamp"), path, comment_where, "timestamp")
        for field in ("likeCount", "dislikeCount", "reactionCount"):
            comment[field] = _count(comment.get(field), path, comment_where, field)
        replies = comment.get("replies") or []
        if not isinstance(replies, list):
            raise _fail(path, comment_where, "replies is not a list")
        comment["replies"] = replies
        _check_comments(replies, path, where)


def _explain_json_error(path: Path, raw: bytes):
    """orjson refused the file: the standard parser names the byte, or the line and column."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        raise CrawlFileError(
            f"{path}: not UTF-8 at line {line} column {column} (byte {error.start}: {error.reason})"
        ) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise CrawlFileError(
            f"{path}: not JSON: {error.msg} at line {error.lineno} column {error.colno}"
        ) from None
    except RecursionError:
        raise CrawlFileError(f"{path}: not JSON the reader accepts (nested too deeply)") from None


def read_crawl_file(path: Path) -> CrawlDocument:
    """The file's meta and validated posts; `CrawlFileError` names the file and the first problem."""
    import orjson

    try:
        size = path.stat().st_size
        if size > MAX_CRAWL_FILE_BYTES:
            raise CrawlFileError(
                f"{path}: {size} bytes, more than the {MAX_CRAWL_FILE_BYTES} a crawl file may have"
            )
        raw = path.read_bytes()
    except FileNotFoundError:
        raise CrawlFileError(f"{path}: no such file") from None
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError:
        data = _explain_json_error(path, raw)
    if isinstance(data, list):
        if len(data) != 1:
            raise CrawlFileError(f"{path}: expected one [{{meta, posts}}] element, found {len(data)}")
        data = data[0]
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("meta"), dict)
        or not isinstance(data.get("posts"), list)
    ):
        raise CrawlFileError(f"{path}: expected an object with meta and posts")
    meta = data["meta"]
    for field in ("site", "board"):
        if not isinstance(meta.get(field), str) or not meta[field]:
            raise CrawlFileError(f"{path}: meta.{field} missing")
    meta["crawled_at"] = _time(meta.get("crawled_at"), path, "meta", "crawled_at")
    posts = [_check_post(post, path, index) for index, post in enumerate(data["posts"])]
    return CrawlDocument(path, meta, posts)
