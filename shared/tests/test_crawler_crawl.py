"""Incremental and interval crawls of ppomppu/hot against the local stand-in serving the sample pages."""

import json
import shutil
from datetime import datetime

import pytest

pytest.importorskip("selectolax", reason="the crawler extra is installed in the is and ss environments")

from dag_shared.crawler.crawl import CrawlMode, crawl
from dag_shared.crawler.fetch import HttpxFetcher
from dag_shared.crawler.output import parse_file_name
from dag_shared.crawler.runner import run_board_crawl
from dag_shared.crawler.sites import sample_dir, site_rules
from dag_shared.crawler.standin import StandInServer
from dag_shared.crawler.state import StopMarker, load_marker

ALL_POSTS = {"9870011", "9870016", "9870012", "9870013", "9870014", "9870015", "9860021", "9860022"}


@pytest.fixture
def samples(tmp_path):
    """A private copy of the ppomppu/hot samples that a test may spoil."""
    folder = tmp_path / "ppomppu_hot"
    shutil.copytree(sample_dir("ppomppu_hot"), folder)
    return folder


def run(samples, mode, marker=None):
    with StandInServer(samples) as server:
        fetcher = HttpxFetcher(min_interval=0, attempts=1)
        try:
            return crawl(
                site_rules("ppomppu_hot"),
                fetcher,
                mode,
                now=server.site.clock,
                marker=marker,
                origin=server.base_url,
            )
        finally:
            fetcher.close()


def ids(outcome):
    return {post["post_id"] for post in outcome.posts}


def test_a_first_incremental_crawl_emits_every_listed_post_and_deleted_ones_as_deleted(samples):
    outcome = run(samples, CrawlMode.incremental())
    assert ids(outcome) == ALL_POSTS
    deleted = {p["post_id"] for p in outcome.posts if p["isDeleted"]}
    assert deleted == {"9870013", "9870015"}  # an alert page and a 404
    assert all(p["content"] == "" and p["images"] == [] for p in outcome.posts if p["isDeleted"])
    assert set(outcome.marker.seen) == ALL_POSTS
    assert outcome.stats["failed_posts"] == 0


def test_a_second_incremental_crawl_reads_the_lists_and_fetches_no_detail(samples):
    first = run(samples, CrawlMode.incremental())
    second = run(samples, CrawlMode.incremental(), first.marker)
    assert second.posts == []
    assert second.stats["requests"] == 3  # the three list pages


def test_a_post_whose_detail_failed_is_fetched_again_by_the_next_incremental_crawl(samples):
    page = samples / "view-humor-9870012.html"
    good = page.read_bytes()
    page.write_bytes(b"<html><body>maintenance</body></html>")
    first = run(samples, CrawlMode.incremental())
    assert "9870012" not in ids(first)
    assert "9870012" not in first.marker.seen
    assert any("9870012" in failure for failure in first.failures)
    page.write_bytes(good)
    second = run(samples, CrawlMode.incremental(), first.marker)
    assert ids(second) == {"9870012"}


def test_the_request_cap_leaves_unfetched_posts_for_the_next_run(samples):
    first = run(samples, CrawlMode.incremental(max_pages=1, max_requests=4))
    assert ids(first) == {"9870011", "9870016"}  # list page, detail + comment page, detail
    assert first.stats["failed_posts"] == 4
    second = run(samples, CrawlMode.incremental(max_pages=1, max_requests=30), first.marker)
    assert ids(second) == {"9870012", "9870013", "9870014", "9870015"}


@pytest.mark.parametrize(
    ("window", "expected"),
    [
        ("30m", {"9870011"}),
        ("3h", {"9870011", "9870016", "9870012", "9870013"}),
        ("12h", {"9870011", "9870016", "9870012", "9870013", "9870014", "9870015"}),
        ("48h", ALL_POSTS - {"9860022"}),
    ],
)
def test_an_interval_crawl_takes_every_post_newer_than_its_window(samples, window, expected):
    outcome = run(samples, CrawlMode.interval(window))
    assert ids(outcome) == expected
    assert outcome.marker is None


def test_an_interval_crawl_ignores_and_keeps_the_stop_marker(samples):
    marker = StopMarker(seen=["9870011"], high_water="9870011")
    outcome = run(samples, CrawlMode.interval("30m"), marker)
    assert ids(outcome) == {"9870011"}
    assert outcome.marker is None


def test_an_unknown_interval_window_is_refused():
    with pytest.raises(ValueError, match="2h"):
        CrawlMode.interval("2h")


def test_replies_on_a_later_comment_page_hang_under_their_parent_from_the_first_page(samples):
    outcome = run(samples, CrawlMode.interval("30m"))
    (post,) = outcome.posts
    first = post["comments"][0]
    assert first["id"] == "ppomppu-hot-9870011_50001"
    assert [r["id"] for r in first["replies"]] == ["ppomppu-hot-9870011_50002", "ppomppu-hot-9870011_50006"]
    assert first["replies"][0]["replies"][0]["depth"] == 2
    assert post["comment_count"] == 6
    assert [c["isDeleted"] for c in post["comments"]] == [False, True, False]


def test_the_runner_writes_one_named_file_and_advances_the_marker_only_after(tmp_path, samples):
    output, state = tmp_path / "out", tmp_path / "state"
    result = run_board_crawl(
        site_rules("ppomppu_hot"),
        CrawlMode.incremental(),
        output_dir=output,
        state_dir=state,
        sample_dir=samples,
    )
    assert [p.name for p in output.iterdir()] == [result.path.name]
    name = parse_file_name(result.path.name)
    assert (name.site, name.board, name.mode) == ("ppomppu", "hot", "incremental")
    document = json.loads(result.path.read_text(encoding="utf-8"))
    meta = document[0]["meta"]
    assert meta["total_posts"] == len(document[0]["posts"]) == 8
    assert meta["crawl_config"]["mode"] == "incremental"
    datetime.fromisoformat(meta["crawled_at"])
    assert set(load_marker(state / "ppomppu_hot.marker.json").seen) == ALL_POSTS
    assert result.stats["embeds_by_type"] == {"video": 1, "x": 1, "youtube": 1}
