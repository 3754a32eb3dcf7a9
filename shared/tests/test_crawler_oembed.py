"""Live crawls look YouTube titles up by oEmbed once per video; a failed lookup never fails a post."""

import json

import pytest

pytest.importorskip("selectolax", reason="the crawler extra is installed in the is and ss environments")

from dag_shared.crawler.embeds import tweet_embed, youtube_embed
from dag_shared.crawler.fetch import HttpxFetcher
from dag_shared.crawler.oembed import add_youtube_titles
from dag_shared.crawler.standin import StandInServer


def posts_with(*embeds):
    return [{"embeddedContent": [dict(e) for e in embeds]}]


@pytest.fixture
def oembed(tmp_path):
    folder = tmp_path / "oembed"
    folder.mkdir()
    (folder / "a.json").write_text(
        json.dumps(
            {
                "title": "현장 영상 – 퇴근길",
                "thumbnail_url": "https://i.ytimg.com/vi/dQw4w9WgXcQ/hqdefault.jpg",
            }
        ),
        encoding="utf-8",
    )
    watch = "https%3A%2F%2Fwww.youtube.com%2Fwatch%3Fv%3DdQw4w9WgXcQ"
    (folder / "pages.json").write_text(
        json.dumps(
            {
                "note": "SAMPLE DATA: an oEmbed answer for the tests",
                "clock": "2026-11-29T15:00:00+09:00",
                "pages": {
                    f"/oembed?url={watch}&format=json": {"file": "a.json", "content_type": "application/json"}
                },
            }
        ),
        encoding="utf-8",
    )
    with StandInServer(folder) as server:
        fetcher = HttpxFetcher(min_interval=0, attempts=1)
        yield fetcher, f"{server.base_url}/oembed", server
        fetcher.close()


def test_a_youtube_embed_gets_its_title_once_and_the_cache_answers_later(tmp_path, oembed):
    fetcher, endpoint, server = oembed
    cache = tmp_path / "state" / "youtube_oembed.json"
    first = posts_with(youtube_embed("dQw4w9WgXcQ"), tweet_embed("1862000000000000001"))
    assert add_youtube_titles(first, fetcher, cache, endpoint) == []
    assert first[0]["embeddedContent"][0]["title"] == "현장 영상 – 퇴근길"
    assert first[0]["embeddedContent"][1]["title"] is None  # tweets are not looked up
    again = posts_with(youtube_embed("dQw4w9WgXcQ"))
    assert add_youtube_titles(again, fetcher, cache, endpoint) == []
    assert again[0]["embeddedContent"][0]["title"] == "현장 영상 – 퇴근길"
    assert len([p for p in server.requests if p.startswith("/oembed")]) == 1


def test_a_failed_lookup_is_reported_and_leaves_the_title_empty(tmp_path, oembed):
    fetcher, endpoint, _ = oembed
    posts = posts_with(youtube_embed("AAAAAAAAAAA"))
    failures = add_youtube_titles(posts, fetcher, tmp_path / "cache.json", endpoint)
    assert len(failures) == 1 and "AAAAAAAAAAA" in failures[0] and "404" in failures[0]
    assert posts[0]["embeddedContent"][0]["title"] is None
