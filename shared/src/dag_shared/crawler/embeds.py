"""Embedded media normalised to one form: YouTube videos, tweets (X), HTML5 videos, other iframes.

A YouTube embed is keyed by its video id (`https://www.youtube.com/watch?v=<id>`, thumbnail
`https://i.ytimg.com/vi/<id>/hqdefault.jpg`), a tweet by its status id
(`https://x.com/i/web/status/<id>`, type `x`, provider `X`) whether the page links twitter.com or
x.com, an iframe embed, a blockquote or a plain link.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from dag_shared.crawler.schema import Embed

_YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{6,20}$")
_TWEET = re.compile(r"(?:twitter\.com|x\.com)/(?:[^/]+|i/web)/status(?:es)?/(\d{5,25})", re.IGNORECASE)
_VIDEO_EXTENSIONS = {
    ".mp4": "video/mp4",
    ".webm": "video/webm",
    ".mov": "video/quicktime",
    ".m3u8": "application/x-mpegURL",
}


def _embed(kind: str, url: str, **fields: str | None) -> Embed:
    return Embed(
        type=kind,
        url=url,
        provider=fields.get("provider"),
        videoId=fields.get("videoId"),
        thumbnail=fields.get("thumbnail"),
        title=fields.get("title"),
        description=fields.get("description"),
        mimeType=fields.get("mimeType"),
    )


def youtube_id(url: str) -> str | None:
    """The video id of any YouTube URL form (watch, embed, shorts, youtu.be, nocookie)."""
    parts = urlsplit(url if "://" in url else f"https://{url.lstrip('/')}")
    host = parts.netloc.lower().removeprefix("www.").removeprefix("m.")
    candidate = None
    if host == "youtu.be":
        candidate = parts.path.strip("/").split("/")[0]
    elif host in {"youtube.com", "youtube-nocookie.com", "music.youtube.com"}:
        segments = [s for s in parts.path.split("/") if s]
        if segments[:1] == ["watch"]:
            candidate = (parse_qs(parts.query).get("v") or [None])[0]
        elif len(segments) >= 2 and segments[0] in {"embed", "shorts", "v", "live"}:
            candidate = segments[1]
    return candidate if candidate and _YOUTUBE_ID.match(candidate) else None


def tweet_id(url: str) -> str | None:
    match = _TWEET.search(url)
    return match[1] if match else None


def youtube_embed(video_id: str, title: str | None = None) -> Embed:
    return _embed(
        "youtube",
        f"https://www.youtube.com/watch?v={video_id}",
        provider="YouTube",
        videoId=video_id,
        thumbnail=f"https://i.ytimg.com/vi/{video_id}/hqdefault.jpg",
        title=title or None,
    )


def tweet_embed(status_id: str, description: str | None = None) -> Embed:
    return _embed(
        "x",
        f"https://x.com/i/web/status/{status_id}",
        provider="X",
        videoId=status_id,
        description=description or None,
    )


def embed_for_url(url: str, *, title: str | None = None, description: str | None = None) -> Embed | None:
    """The normalised embed a URL stands for, or None when it is neither a video nor a tweet."""
    if video := youtube_id(url):
        return youtube_embed(video, title)
    if status := tweet_id(url):
        return tweet_embed(status, description)
    path = urlsplit(url).path.lower()
    for extension, mime in _VIDEO_EXTENSIONS.items():
        if path.endswith(extension):
            return _embed("video", url, mimeType=mime, title=title or None)
    return None


def iframe_embed(src: str, title: str | None = None) -> Embed:
    """An iframe: a YouTube video or tweet when it is one, else a generic `iframe` embed."""
    known = embed_for_url(src, title=title)
    if known is not None:
        return known
    host = urlsplit(src).netloc.lower() or None
    return _embed("iframe", src, provider=host, title=title or None)


def video_embed(src: str, mime_type: str | None = None, poster: str | None = None) -> Embed:
    return _embed("video", src, mimeType=mime_type, thumbnail=poster or None)


def deduplicate(embeds: list[Embed]) -> list[Embed]:
    """Embeds in page order, each URL once."""
    seen: set[str] = set()
    unique: list[Embed] = []
    for embed in embeds:
        if embed["url"] not in seen:
            seen.add(embed["url"])
            unique.append(embed)
    return unique
