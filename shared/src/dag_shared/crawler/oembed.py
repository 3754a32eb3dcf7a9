"""YouTube titles from the oEmbed API for live crawls, cached per video id (legacy spec A5.3).

The boards embed videos without their titles; a live crawl asks YouTube's oEmbed endpoint once per
video and keeps the answer in a small JSON cache beside the stop markers, so a video seen again is
not asked again. A lookup that fails leaves the title empty and is reported with the crawl's
failures; it never fails the post. Offline crawls skip this (titles come from the iframe's `title`).
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlencode

from dag_shared.crawler.fetch import Fetcher, FetchError
from dag_shared.crawler.output import atomic_write_text
from dag_shared.crawler.schema import Post

OEMBED_ENDPOINT = "https://www.youtube.com/oembed"
_JSON_HEADERS = {"Accept": "application/json", "X-Requested-With": "XMLHttpRequest"}


def _load(cache_path: Path) -> dict[str, dict]:
    if not cache_path.is_file():
        return {}
    try:
        data = json.loads(cache_path.read_text(encoding="utf-8"))
    except ValueError:
        return {}  # a damaged cache is only a cache: it is rebuilt
    return data if isinstance(data, dict) else {}


def add_youtube_titles(
    posts: list[Post], fetcher: Fetcher, cache_path: Path, endpoint: str = OEMBED_ENDPOINT
) -> list[str]:
    """Fill `title` (and `thumbnail` when missing) of YouTube embeds; returns the failed lookups."""
    cache = _load(cache_path)
    failures: list[str] = []
    asked = False
    for post in posts:
        for embed in post["embeddedContent"]:
            video = embed.get("videoId")
            if embed["type"] != "youtube" or not video or embed.get("title"):
                continue
            if video not in cache:
                url = f"{endpoint}?{urlencode({'url': embed['url'], 'format': 'json'})}"
                try:
                    answer = json.loads(fetcher.fetch(url, headers=_JSON_HEADERS).text)
                except (FetchError, ValueError) as error:
                    failures.append(f"oEmbed {video}: {error}")
                    continue
                if not isinstance(answer, dict):
                    failures.append(f"oEmbed {video}: not a JSON object")
                    continue
                cache[video] = {"title": answer.get("title"), "thumbnail": answer.get("thumbnail_url")}
                asked = True
            embed["title"] = cache[video].get("title") or embed.get("title")
            embed["thumbnail"] = embed.get("thumbnail") or cache[video].get("thumbnail")
    if asked:
        atomic_write_text(cache_path, json.dumps(cache, ensure_ascii=False))
    return failures
