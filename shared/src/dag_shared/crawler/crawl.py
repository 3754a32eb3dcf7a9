"""One crawl of one board: list pages → detail pages (+ comment pages) → the crawl document.

Two modes (legacy spec A5.4):
- incremental: list pages from page 1 (at most `max_pages`), every post not fetched before (the
  stop marker); at most `max_requests` requests. Chronological boards stop at the first post the
  marker knows; curated lists skip known posts. The next marker holds only posts whose details
  succeeded; the caller saves it after writing the file.
- interval: every post whose list time is newer than `now - window`, no request cap (a page cap
  guards against a board that never ends); the marker is untouched.

A failed detail (network, HTTP error, unreadable page) is counted and reported, never emitted half
done; a detail page answering 404/410 is a deleted post and is emitted with `isDeleted: true`. A
failed first list page fails the crawl (`CrawlError`): nothing was crawled.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from dag_shared.crawler.comments import build_tree
from dag_shared.crawler.fetch import Fetcher, FetchError, Page
from dag_shared.crawler.rules import DetailPage, ListItem, ParseError, SiteRules
from dag_shared.crawler.schema import (
    CRAWLER_VERSION,
    CrawlConfig,
    CrawlMeta,
    Post,
    count_comments,
    crawl_file,
    embed_counts_by_type,
    md5_hex,
    post_key,
)
from dag_shared.crawler.state import StopMarker
from dag_shared.crawler.timeparse import TimeParseError, to_iso

INTERVAL_WINDOWS = {
    "30m": timedelta(minutes=30),
    **{f"{h}h": timedelta(hours=h) for h in (1, 3, 6, 12, 24, 48)},
}
_ITEM_ERRORS = (FetchError, ParseError, TimeParseError)


class CrawlError(RuntimeError):
    """The crawl could not start (its first list page failed)."""


@dataclass(frozen=True)
class CrawlMode:
    kind: Literal["incremental", "interval"]
    max_pages: int | None = None
    max_requests: int | None = None
    window: str | None = None

    @classmethod
    def incremental(cls, max_pages: int = 3, max_requests: int = 30) -> CrawlMode:
        return cls("incremental", max_pages, max_requests)

    @classmethod
    def interval(cls, window: str, max_pages: int = 100) -> CrawlMode:
        if window not in INTERVAL_WINDOWS:
            raise ValueError(f"interval window {window!r} is not one of {', '.join(INTERVAL_WINDOWS)}")
        return cls("interval", max_pages, None, window)

    @property
    def label(self) -> str:
        return "incremental" if self.kind == "incremental" else f"interval-{self.window}"

    def cutoff(self, now: datetime) -> datetime | None:
        return now - INTERVAL_WINDOWS[self.window] if self.window else None


@dataclass
class CrawlOutcome:
    document: list[dict[str, Any]]
    posts: list[Post]
    marker: StopMarker | None
    stats: dict[str, Any]
    failures: list[str] = field(default_factory=list)


class _Origins:
    """Maps live URLs to the URLs actually fetched (the stand-in's) and back."""

    def __init__(self, live: str, fetch: str | None) -> None:
        self.live, self.fetch = live.rstrip("/"), (fetch or live).rstrip("/")

    def to_fetch(self, url: str) -> str:
        return self.fetch + url[len(self.live) :] if url.startswith(self.live) else url

    def to_live(self, page: Page) -> Page:
        if page.url.startswith(self.fetch):
            return Page(self.live + page.url[len(self.fetch) :], page.status, page.text, page.charset)
        return page


class _Crawl:
    def __init__(
        self, rules: SiteRules, fetcher: Fetcher, mode: CrawlMode, now: datetime, origin: str | None
    ):
        self.rules, self.fetcher, self.mode, self.now = rules, fetcher, mode, now
        self.origins = _Origins(rules.origin, origin)
        self.requests = 0
        self.failures: list[str] = []

    def budget_left(self) -> bool:
        return self.mode.max_requests is None or self.requests < self.mode.max_requests

    def get(self, url: str, headers: dict[str, str] | None = None) -> Page:
        self.requests += 1
        return self.origins.to_live(self.fetcher.fetch(self.origins.to_fetch(url), headers=headers))

    def candidates(self, marker: StopMarker) -> tuple[list[ListItem], int]:
        cutoff = self.mode.cutoff(self.now)
        chosen: dict[str, ListItem] = {}
        pages = 0
        for number in range(1, (self.mode.max_pages or 1) + 1):
            if not self.budget_left():
                break
            try:
                items = self.rules.parse_list(self.get(self.rules.list_url(number)), self.now)
            except _ITEM_ERRORS as error:
                if number == 1:
                    raise CrawlError(f"{self.rules.name}: first list page failed: {error}") from error
                self.failures.append(f"list page {number}: {error}")
                break
            pages += 1
            if not items or self._walk(items, marker, cutoff, chosen):
                break
        return list(chosen.values()), pages

    def _walk(self, items: list[ListItem], marker: StopMarker, cutoff, chosen: dict[str, ListItem]) -> bool:
        """Adds the page's wanted items; True when paging should stop."""
        chronological = self.rules.list_is_chronological
        older = 0
        for item in items:
            if cutoff is not None:
                if item.time_hint is not None and item.time_hint < cutoff:
                    older += 1
                    if chronological:
                        return True
                    continue
            elif marker.knows(item.post_id) or (chronological and marker.below_high_water(item.post_id)):
                if chronological:
                    return True
                continue
            chosen.setdefault(item.post_id, item)
        return cutoff is not None and older == len(items)

    def detail(self, item: ListItem, crawled_at: str) -> Post | None:
        try:
            page = self.get(item.url)
        except FetchError as error:
            if getattr(error, "status", None) in (404, 410):
                return assemble_post(self.rules, item, DetailPage(title=item.title, deleted=True), crawled_at)
            raise
        detail = self.rules.parse_detail(page, item.post_id, self.now)
        for url in detail.comment_page_urls:
            more = self.get(url, headers=self.rules.comment_headers or None)
            detail.comments.extend(self.rules.parse_comment_page(more, item.post_id, self.now))
        cutoff = self.mode.cutoff(self.now)
        if cutoff is not None and detail.timestamp is not None and detail.timestamp < cutoff:
            return None
        return assemble_post(self.rules, item, detail, crawled_at)


def assemble_post(rules: SiteRules, item: ListItem, detail: DetailPage, crawled_at: str) -> Post:
    """The output-schema post of a list item and its parsed detail page (comments made a tree)."""
    comments = build_tree(rules.site, rules.board, item.post_id, detail.comments)
    content = "" if detail.deleted else detail.content
    images = [] if detail.deleted else detail.images
    embeds = [] if detail.deleted else detail.embeds
    return Post(
        post_id=item.post_id,
        id=post_key(rules.site, rules.board, item.post_id),
        url=item.url,
        site=rules.site,
        board=rules.board,
        title=detail.title or item.title,
        author=detail.author,
        avatar=detail.avatar,
        timestamp=to_iso(detail.timestamp or item.time_hint),
        view_count=detail.view_count,
        like_count=detail.like_count,
        dislike_count=detail.dislike_count,
        category=detail.category,
        tags=list(detail.tags),
        content=content,
        contentHtml="" if detail.deleted else detail.content_html,
        content_hash=md5_hex(content),
        images=images,
        embeddedContent=embeds,
        crawledAt=crawled_at,
        comments=comments,
        image_count=len(images),
        embed_count=len(embeds),
        comment_count=count_comments(comments),
        isDeleted=detail.deleted,
    )


def crawl(
    rules: SiteRules,
    fetcher: Fetcher,
    mode: CrawlMode,
    *,
    now: datetime,
    marker: StopMarker | None = None,
    origin: str | None = None,
    crawled_at: datetime | None = None,
) -> CrawlOutcome:
    """Crawl one board. `origin` replaces the live origin when fetching (the local stand-in);
    `now` anchors relative times and interval cutoffs; `crawled_at` (default: the wall clock)
    stamps the file and its posts."""
    started = time.monotonic()
    marker = marker or StopMarker()
    stamp = (crawled_at or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="milliseconds")
    stamp = stamp.replace("+00:00", "Z")
    run = _Crawl(rules, fetcher, mode, now, origin)
    items, pages = run.candidates(marker)
    posts: list[Post] = []
    fetched: list[str] = []
    for item in items:
        if not run.budget_left():
            run.failures.append(f"{item.url}: not fetched, request cap {mode.max_requests} reached")
            continue
        try:
            post = run.detail(item, stamp)
        except _ITEM_ERRORS as error:
            run.failures.append(f"{item.url}: {error}")
            continue
        fetched.append(item.post_id)
        if post is not None:
            posts.append(post)
    next_marker = marker.advanced(fetched) if mode.kind == "incremental" else None
    cutoff = mode.cutoff(now)
    config = CrawlConfig(
        mode=mode.kind,
        max_pages=mode.max_pages,
        max_requests=mode.max_requests,
        incremental=mode.kind == "incremental",
        last_stop_id=marker.high_water or (marker.seen[0] if marker.seen else None),
        hours=INTERVAL_WINDOWS[mode.window].total_seconds() / 3600 if mode.window else None,
        minutes=INTERVAL_WINDOWS[mode.window].total_seconds() / 60 if mode.window else None,
        cutoff_date=to_iso(cutoff),
    )
    meta = CrawlMeta(
        site=rules.site,
        board=rules.board,
        crawled_at=stamp,
        crawler_version=CRAWLER_VERSION,
        total_posts=len(posts),
        pages_crawled=pages,
        crawl_config=config,
    )
    stats = {
        "requests": fetcher.stats.requests,
        "succeeded": fetcher.stats.succeeded,
        "failed": fetcher.stats.failed,
        "retries": fetcher.stats.retries,
        "list_pages": pages,
        "posts": len(posts),
        "failed_posts": len(items) - len(fetched),
        "deleted_posts": sum(1 for p in posts if p["isDeleted"]),
        "comments": sum(p["comment_count"] for p in posts),
        "embeds_by_type": embed_counts_by_type(posts),
        "duration_seconds": round(time.monotonic() - started, 3),
    }
    return CrawlOutcome(crawl_file(meta, posts), posts, next_marker, stats, run.failures)
