"""The shape of a site module: what a board crawler must say about its site, and nothing more.

A site module defines one `SiteRules` subclass: where the list pages are, how a list page yields
posts, how a detail page yields a post (with the first comment page), and, when a board loads later
comment pages separately, their URLs and parser. Fetching, rate limits, retries, modes, the comment
tree, embed normalisation, ids, hashes and the output file are the framework's (`dag_shared.crawler`).

Parsers receive pages whose `url` is always the live URL (the framework maps the local stand-in's
address back), so absolute URLs come out the same offline and online. Times are aware `datetime`s in
UTC (use `dag_shared.crawler.timeparse.parse_kst`). A parser raises `ParseError` (with the URL and
what was missing) for a page it cannot read; it never returns half a post silently.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

from dag_shared.crawler.fetch import Page
from dag_shared.crawler.schema import Embed

if TYPE_CHECKING:
    from dag_shared.crawler.html import BodyParts


class ParseError(ValueError):
    """A page does not have the structure its site module expects."""


@dataclass(frozen=True)
class ListItem:
    """One row of a list page: the post it links to and the time the list shows for it (UTC)."""

    post_id: str
    url: str
    title: str
    time_hint: datetime | None = None


@dataclass
class CommentRow:
    """One comment as a page shows it, before the framework builds the tree.

    `parent_cid` is the comment replied to when the page says so; otherwise the parent is the
    nearest previous row with a smaller `depth`.
    """

    cid: str
    depth: int = 0
    parent_cid: str | None = None
    author: str | None = None
    avatar: str | None = None
    content: str | None = None
    html: str | None = None
    raw: str | None = None
    timestamp: datetime | None = None
    like_count: int | None = None
    dislike_count: int | None = None
    reaction_count: int | None = None
    deleted: bool = False


@dataclass
class DetailPage:
    """Everything a detail page shows about one post.

    `comment_page_urls` lists further comment pages to fetch (AJAX pages); their rows are parsed by
    `SiteRules.parse_comment_page` and appended to `comments`. `deleted` marks a deleted or restricted
    post (emitted with `isDeleted: true`, its body empty).
    """

    title: str
    content: str = ""
    content_html: str = ""
    author: str | None = None
    avatar: str | None = None
    timestamp: datetime | None = None
    view_count: int | None = None
    like_count: int | None = None
    dislike_count: int | None = None
    category: str | None = None
    tags: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)
    embeds: list[Embed] = field(default_factory=list)
    comments: list[CommentRow] = field(default_factory=list)
    comment_page_urls: list[str] = field(default_factory=list)
    deleted: bool = False

    @classmethod
    def of_body(cls, title: str, body: BodyParts, **fields) -> DetailPage:
        """The page of a post whose body node gave `body` (text, cleaned HTML, images, embeds)."""
        return cls(
            title=title,
            content=body.text,
            content_html=body.html,
            images=body.images,
            embeds=body.embeds,
            **fields,
        )


class SiteRules(ABC):
    """Selectors and rules of one board. Subclass it once per (site, board)."""

    site: ClassVar[str]
    board: ClassVar[str]
    origin: ClassVar[str]
    """The live scheme and host, e.g. `https://www.ppomppu.co.kr`."""
    needs_browser: ClassVar[bool] = False
    """Fetch this board with Chromium (Playwright) instead of httpx when crawling live."""
    list_is_chronological: ClassVar[bool] = True
    """List pages are newest first: interval crawls stop at the first post older than the cutoff.
    Curated lists (hot, best) set False: older rows are skipped and paging stops after a page whose
    rows are all older than the cutoff."""
    default_interval_hours: ClassVar[float] = 48
    comment_headers: ClassVar[dict[str, str]] = {}
    """Extra request headers for comment pages (e.g. `X-Requested-With` for AJAX endpoints)."""

    @abstractmethod
    def list_url(self, page: int) -> str:
        """The live URL of list page `page` (1-based)."""

    @abstractmethod
    def parse_list(self, page: Page, now: datetime) -> list[ListItem]:
        """The posts of one list page, in page order, without notices and ads."""

    @abstractmethod
    def parse_detail(self, page: Page, post_id: str, now: datetime) -> DetailPage:
        """One post's detail page."""

    def parse_comment_page(self, page: Page, post_id: str, now: datetime) -> list[CommentRow]:
        """The rows of one further comment page (boards with `comment_page_urls`)."""
        raise ParseError(f"{self.site}/{self.board} has no separate comment pages ({page.url})")

    @property
    def name(self) -> str:
        return f"{self.site}_{self.board}"
