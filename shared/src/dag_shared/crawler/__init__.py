"""The board crawler framework: fetch list and detail pages of Korean community boards, write one file per crawl.

Used by the `is` location (clien/park, damoang/free, fmkorea/best, ppomppu/hot) and the `ss`
location (ppomppu/phone). Domain code only: nothing here imports dagster; the locations wrap
`runner.run_board_crawl` in their assets and report its statistics as metadata.

Modules
- `schema`: the one output schema (`Post`, `Comment`, `Embed`, `CrawlMeta`; legacy spec A5.3),
  ids (`post_key`, `comment_key`) and hashes.
- `rules`: `SiteRules`, the shape of a site module, and what its parsers return (`ListItem`,
  `DetailPage`, `CommentRow`, `ParseError`).
- `fetch`: `HttpxFetcher` (default) and `PlaywrightFetcher` (Debian's /usr/bin/chromium), charset
  decoding, per-host rate limit, tenacity retries, `FetchStats`.
- `timeparse`: `parse_kst` for every KST time form the boards print → aware UTC datetimes.
- `html`: selectolax helpers; `body_parts` gives a body's text, clean HTML, images and embeds.
- `embeds`: YouTube/tweet/video/iframe normalisation.  `comments`: the comment tree from rows.
- `crawl`: `crawl()` with `CrawlMode.incremental()` / `CrawlMode.interval("3h")`.
- `state`: the incremental stop marker.  `output`: file names and atomic writes.
- `standin`: `StandInServer`, the local HTTP stand-in serving saved pages by their real URLs.
- `runner`: one call that picks the fetcher, starts the stand-in in local mode, crawls, writes
  the file and advances the stop marker.
- `sites`: the site modules and their bundled sample pages (`sites/samples/<site>_<board>/`).

Adding a board
1. Write `sites/<site>_<board>.py` with one `SiteRules` subclass: `site`, `board`, `origin`
   (live scheme+host), `list_url(page)`, `parse_list(page, now)`, `parse_detail(page, post_id, now)`,
   and for boards whose later comment pages come from a separate URL, `comment_page_urls` in the
   returned `DetailPage` plus `parse_comment_page`. Set `needs_browser`, `list_is_chronological`
   and `comment_headers` when they differ from the defaults. Only selectors and site rules go there:
   use `html.body_parts` for bodies and `timeparse.parse_kst` for times.
2. Register it in `sites.SITE_RULES`.
3. Save real pages as samples under `sites/samples/<site>_<board>/` (or any folder) with a
   `pages.json` manifest mapping the real path and query of each page to its file, the `clock`
   at which they were saved, and a note saying they are samples. The stand-in serves them, so the
   same crawl code runs offline; parser tests read the same files.
"""

from dag_shared.crawler.crawl import CrawlError, CrawlMode, CrawlOutcome, crawl
from dag_shared.crawler.fetch import Fetcher, FetchError, FetchStats, HttpxFetcher, Page, PlaywrightFetcher
from dag_shared.crawler.rules import CommentRow, DetailPage, ListItem, ParseError, SiteRules
from dag_shared.crawler.schema import Comment, CrawlMeta, Embed, Post
from dag_shared.crawler.timeparse import TimeParseError, parse_kst

__all__ = [
    "Comment",
    "CommentRow",
    "CrawlError",
    "CrawlMeta",
    "CrawlMode",
    "CrawlOutcome",
    "DetailPage",
    "Embed",
    "FetchError",
    "FetchStats",
    "Fetcher",
    "HttpxFetcher",
    "ListItem",
    "Page",
    "ParseError",
    "PlaywrightFetcher",
    "Post",
    "SiteRules",
    "TimeParseError",
    "crawl",
    "parse_kst",
]
