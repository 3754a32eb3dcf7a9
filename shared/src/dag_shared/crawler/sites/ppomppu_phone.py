"""ppomppu / phone (뽐뿌 휴대폰포럼): selectors and rules, for the `ss` location.

A fork of `ppomppu_hot`: the detail pages and comments are the same zboard pages, so only the list
differs. List `/zboard/zboard.php?id=phone&page=N`: rows `#revolution_main_table tr.baseList`, link
`a.baseList-title` to `/zboard/view.php?id=phone&no=<no>` (other boards and non-numeric numbers are
not this board's posts). Notice rows (`list_notice`, a `공지` mark), ad rows (`#ad-icon`, `.ad-icon`)
and secret posts (a lock icon or `비밀글`) are skipped. The list time is the date cell's `title`
attribute (full time), else `time.baseList-time`, else the first date-looking text of any cell; it is `HH:mm:ss`
today or a two-digit-year date `YY.MM.DD[ HH:mm[:ss]]` / `YY/MM/DD`. The board is newest first.

Not registered in `sites.SITE_RULES` (that table belongs to the `is` location's engineers); the
`ss` location imports `PpomppuPhone` and `SAMPLE_DIR` from here.
"""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import urlsplit

from dag_shared.crawler.fetch import Page
from dag_shared.crawler.html import absolute, attr, page_tree, text_of
from dag_shared.crawler.rules import ListItem
from dag_shared.crawler.sites import SAMPLES
from dag_shared.crawler.sites.ppomppu_hot import PpomppuHot, _ids_from_url
from dag_shared.crawler.timeparse import TimeParseError, parse_kst

SAMPLE_DIR = SAMPLES / "ppomppu_phone"

_DATE_TEXT = re.compile(
    r"\b\d{2}[./]\d{1,2}[./]\d{1,2}(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?\b|\b\d{1,2}:\d{2}:\d{2}\b"
)
_SECRET = re.compile(r"비밀글")


class PpomppuPhone(PpomppuHot):
    site = "ppomppu"
    board = "phone"
    list_is_chronological = True

    def list_url(self, page: int) -> str:
        return f"{self.origin}/zboard/zboard.php?id=phone&page={page}"

    def parse_list(self, page: Page, now: datetime) -> list[ListItem]:
        tree = page_tree(page, "#revolution_main_table", "a ppomppu board list")
        items: list[ListItem] = []
        for row in tree.css("#revolution_main_table tr.baseList"):
            if self._skipped(row):
                continue
            link = row.css_first("a.baseList-title")
            url = absolute(attr(link, "href"), page.url)
            if link is None or url is None or urlsplit(url).path != "/zboard/view.php":
                continue
            board, number = _ids_from_url(url)
            if board != self.board or not number or not number.isdigit():
                continue
            items.append(ListItem(number, url, text_of(link), self._list_time(row, now)))
        return items

    @staticmethod
    def _skipped(row) -> bool:
        classes = attr(row, "class") or ""
        if "list_notice" in classes or row.css_first("#ad-icon, .ad-icon, img[alt='공지']") is not None:
            return True
        if row.css_first("img[src*='lock'], .icon_secret") is not None:
            return True
        return bool(_SECRET.search(text_of(row.css_first("a.baseList-title"))))

    @staticmethod
    def _list_time(row, now: datetime) -> datetime | None:
        # The cell's title holds the full time; the visible text shows only the date for older posts.
        candidates = [attr(cell, "title") or "" for cell in row.css("td")]
        candidates.append(text_of(row.css_first("time.baseList-time")))
        candidates += [m.group(0) for cell in row.css("td") for m in _DATE_TEXT.finditer(text_of(cell))]
        for text in candidates:
            if not text.strip():
                continue
            try:
                return parse_kst(text, now)
            except TimeParseError:
                continue
        return None
