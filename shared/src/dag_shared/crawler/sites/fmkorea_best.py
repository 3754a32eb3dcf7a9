"""fmkorea / best (에펨코리아 포텐 터짐): selectors and rules.

fmkorea sits behind a browser challenge, so it is fetched with Chromium (`needs_browser`). The best
list is curated, not chronological: interval crawls skip older rows and stop after a page whose
rows are all older than the cutoff.

List `/best?page=N`: items `.fm_best_widget li`, link `h3.title a[href]`, id from `/best/<id>` or
`document_srl=`, time in `.regdate` (`방금 전`, `N분 전`, `HH:mm`, `YYYY.MM.DD`).
Detail `/best/<id>`: title `.top_area h1 .np_18px_span`, date `.top_area .date`, author
`.btm_area .member_plate`, views / likes / comment count in `.btm_area .side.fr span` (`조회 수`,
`추천 수`, `댓글`), body `.rd_body article .xe_content`. Comments: page 1 in the DOM
(`ul.fdb_lst_ul li.fdb_itm[id^="comment_"]`; best comments repeat at the top, class
`comment_best`); the last page number from the `.bd_pg` links (`cpage=N`); pages 2..N by AJAX
`/?mid=best&document_srl=<id>&cpage=<n>` answering JSON with `tpl` (the rows' HTML). Depth from
the row's `margin-left` (%, 2 per level), parent from `findComment(<srl>)` of the "parent" link.
One output schema: content is the plain text and `content_hash` its md5, comment ids carry the
site prefix and comment content is text, like every other board (legacy defect A11-34).
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import ClassVar
from urllib.parse import parse_qs, urlsplit

from dag_shared.crawler.fetch import Page
from dag_shared.crawler.html import (
    absolute,
    attr,
    body_parts,
    detail_tree,
    first_text,
    int_of,
    page_tree,
    parse_html,
    text_of,
)
from dag_shared.crawler.rules import CommentRow, DetailPage, ListItem, ParseError, SiteRules
from dag_shared.crawler.timeparse import parse_kst_optional

_POST_URL = re.compile(r"/best/(\d+)|document_srl=(\d+)")
_INDENT = re.compile(r"margin-left\s*:\s*([\d.]+)%")
_PARENT = re.compile(r"findComment\((\d+)")
_CPAGE = re.compile(r"cpage=(\d+)")
_DELETED = re.compile(r"삭제된 게시물|게시물이 삭제|존재하지 않는 게시물|권한이 없습니다")


class FmkoreaBest(SiteRules):
    site = "fmkorea"
    board = "best"
    origin = "https://www.fmkorea.com"
    needs_browser = True
    list_is_chronological = False
    default_interval_hours = 72
    comment_headers: ClassVar[dict[str, str]] = {"X-Requested-With": "XMLHttpRequest"}

    def list_url(self, page: int) -> str:
        return f"{self.origin}/best?page={page}"

    def parse_list(self, page: Page, now: datetime) -> list[ListItem]:
        tree = page_tree(page, ".fm_best_widget", "an fmkorea best page")
        items = []
        for row in tree.css(".fm_best_widget li"):
            link = row.css_first("h3.title a[href]")
            match = _POST_URL.search(attr(link, "href") or "")
            if link is None or match is None:
                continue
            number = match[1] or match[2]
            when = first_text(row, ".regdate")
            title = first_text(link, ".ellipsis-target") or text_of(link)
            items.append(
                ListItem(number, f"{self.origin}/best/{number}", title, parse_kst_optional(when, now))
            )
        return items

    def parse_detail(self, page: Page, post_id: str, now: datetime) -> DetailPage:
        tree, title = detail_tree(page, ".top_area h1 .np_18px_span", _DELETED, "an fmkorea post page")
        if title is None:
            return DetailPage(title="", deleted=True)
        facts = {
            text_of(span).split(" ")[0]: int_of(text_of(span)) for span in tree.css(".btm_area .side.fr span")
        }
        posted = first_text(tree, ".top_area .date")
        body = body_parts(tree.css_first(".rd_body article .xe_content"), page.url)
        pages = [int(m[1]) for a in tree.css(".bd_pg a[href]") if (m := _CPAGE.search(attr(a, "href") or ""))]
        return DetailPage.of_body(
            title,
            body,
            author=first_text(tree, ".btm_area .member_plate"),
            timestamp=parse_kst_optional(posted, now),
            view_count=facts.get("조회"),
            like_count=facts.get("추천") or 0,
            dislike_count=None,
            category=first_text(tree, ".top_area .category"),
            comments=self._rows(tree, page.url, now),
            comment_page_urls=[
                f"{self.origin}/?mid=best&document_srl={post_id}&cpage={n}"
                for n in range(2, max(pages, default=1) + 1)
            ],
            deleted=bool(_DELETED.search(title)),
        )

    def parse_comment_page(self, page: Page, post_id: str, now: datetime) -> list[CommentRow]:
        try:
            data = json.loads(page.text)
        except ValueError as error:
            raise ParseError(f"{page.url}: comment page is not JSON ({error})") from None
        if not isinstance(data, dict) or not isinstance(data.get("tpl"), str):
            raise ParseError(f"{page.url}: comment page has no tpl")
        base = f"{self.origin}/best/{parse_qs(urlsplit(page.url).query).get('document_srl', [post_id])[0]}"
        return self._rows(parse_html(f"<ul class='fdb_lst_ul'>{data['tpl']}</ul>"), base, now)

    def _rows(self, tree, base: str, now: datetime) -> list[CommentRow]:
        rows = []
        for node in tree.css('ul.fdb_lst_ul li.fdb_itm[id^="comment_"]'):
            cid = (attr(node, "id") or "").removeprefix("comment_")
            if not cid.isdigit():
                continue
            indent = _INDENT.search(attr(node, "style") or "")
            parent = _PARENT.search(attr(node.css_first("a.findParent"), "onclick") or "")
            body = body_parts(node.css_first(".comment-content .xe_content"), base)
            when = first_text(node, ".meta .date")
            rows.append(
                CommentRow(
                    cid=cid,
                    depth=round(float(indent[1]) / 2) if indent else 0,
                    parent_cid=parent[1] if parent else None,
                    author=first_text(node, ".meta .member_plate"),
                    avatar=absolute(attr(node.css_first(".meta img.profile"), "src"), base),
                    content=body.text,
                    html=body.html,
                    timestamp=parse_kst_optional(when, now),
                    like_count=int_of(first_text(node, ".voted_count")) or 0,
                    dislike_count=int_of(first_text(node, ".blamed_count")) or 0,
                    deleted="삭제된 댓글" in body.text,
                )
            )
        return rows
