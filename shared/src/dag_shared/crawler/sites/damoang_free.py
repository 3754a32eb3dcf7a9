"""damoang / free (다모앙 자유게시판): selectors and rules.

List `/free?page=N`: rows `#fboardlist .list-group-item`, link `a.da-article-link`, id = the
trailing digits of the URL; notice rows (`img[alt="공지"]`), promotion rows (`홍보`) and deleted rows
(`.da-deleted`) are skipped. Time in `.da-list-date` (`HH:mm`, `어제 HH:mm`, `MM.DD`). Newest first.

Detail `/free/<id>`: title `#bo_v_title .bo_v_tit`, category `#bo_v_title a.bo_v_cate`, tags
`#bo_v_tag a`, author `#bo_v_info .sv_name`, date `#bo_v_info .wr-date` (`오늘/어제/그제 HH:mm` or a
full date), views `#bo_v_info .wr-hit`, likes/dislikes `#bo_v_act .good-count` / `.nogood-count`,
body `#bo_v_con`. Comments `article[id^="c_"]`: depth from the indent (`margin-left` in rem or
16 px steps), parent by the depth stack, reactions = sum of `.reaction-badge .count`, raw text in
`textarea#save_comment_<id>`.
"""

from __future__ import annotations

import re
from datetime import datetime

from dag_shared.crawler.fetch import Page
from dag_shared.crawler.html import (
    absolute,
    attr,
    body_parts,
    detail_tree,
    first_text,
    int_of,
    page_tree,
    text_of,
)
from dag_shared.crawler.rules import CommentRow, DetailPage, ListItem, SiteRules
from dag_shared.crawler.timeparse import parse_kst_optional

_POST_URL = re.compile(r"/free/(\d+)")
_INDENT = re.compile(r"margin-left\s*:\s*([\d.]+)\s*(rem|px)")
_DELETED = re.compile(
    r"삭제된 게시물|글이 존재하지 않습니다|존재하지 않는 게시물|열람 권한이 없습니다|블라인드 처리"
)


def _depth(style: str | None) -> int:
    match = _INDENT.search(style or "")
    if match is None:
        return 0
    value = float(match[1])
    return round(value if match[2] == "rem" else value / 16)


class DamoangFree(SiteRules):
    site = "damoang"
    board = "free"
    origin = "https://damoang.net"

    def list_url(self, page: int) -> str:
        return f"{self.origin}/free?page={page}"

    def parse_list(self, page: Page, now: datetime) -> list[ListItem]:
        tree = page_tree(page, "#fboardlist", "a damoang list page")
        items = []
        for row in tree.css("#fboardlist .list-group-item"):
            if row.css_first('img[alt="공지"]') is not None or row.css_first(".da-deleted") is not None:
                continue
            if "홍보" in (first_text(row, ".da-list-cate") or ""):
                continue
            link = row.css_first("a.da-article-link")
            url = absolute(attr(link, "href"), page.url)
            match = _POST_URL.search(url or "")
            if link is None or match is None:
                continue
            when = first_text(row, ".da-list-date")
            items.append(
                ListItem(
                    match[1],
                    f"{self.origin}/free/{match[1]}",
                    text_of(link),
                    parse_kst_optional(when, now),
                )
            )
        return items

    def parse_detail(self, page: Page, post_id: str, now: datetime) -> DetailPage:
        tree, title = detail_tree(page, "#bo_v_title .bo_v_tit", _DELETED, "a damoang post page")
        if title is None:
            return DetailPage(title="", deleted=True)
        posted = first_text(tree, "#bo_v_info .wr-date")
        body = body_parts(tree.css_first("#bo_v_con"), page.url)
        return DetailPage.of_body(
            title,
            body,
            author=first_text(tree, "#bo_v_info .sv_name"),
            avatar=absolute(attr(tree.css_first("#bo_v_info img.mb-photo"), "src"), page.url),
            timestamp=parse_kst_optional(posted, now),
            view_count=int_of(first_text(tree, "#bo_v_info .wr-hit")),
            like_count=int_of(first_text(tree, "#bo_v_act .good-count")) or 0,
            dislike_count=int_of(first_text(tree, "#bo_v_act .nogood-count")) or 0,
            category=first_text(tree, "#bo_v_title a.bo_v_cate"),
            tags=[t for t in (text_of(a).lstrip("#") for a in tree.css("#bo_v_tag a")) if t],
            comments=self._comments(tree, page.url, now),
            deleted=bool(_DELETED.search(title)),
        )

    def _comments(self, tree, base: str, now: datetime) -> list[CommentRow]:
        rows = []
        for node in tree.css('article[id^="c_"]'):
            cid = (attr(node, "id") or "").removeprefix("c_")
            if not cid.isdigit():
                continue
            body = body_parts(node.css_first(".cmt-content"), base)
            raw = node.css_first(f"textarea#save_comment_{cid}")
            when = first_text(node, ".cmt-date")
            reactions = [int_of(text_of(badge)) or 0 for badge in node.css(".reaction-badge .count")]
            rows.append(
                CommentRow(
                    cid=cid,
                    depth=_depth(attr(node, "style")),
                    author=first_text(node, ".cmt-name"),
                    avatar=absolute(attr(node.css_first("img.mb-photo"), "src"), base),
                    content=body.text,
                    html=body.html,
                    raw=raw.text(deep=True) if raw is not None else None,
                    timestamp=parse_kst_optional(when, now),
                    like_count=int_of(first_text(node, ".cmt-good")) or 0,
                    dislike_count=int_of(first_text(node, ".cmt-nogood")) or 0,
                    reaction_count=sum(reactions),
                    deleted="삭제된 댓글" in body.text,
                )
            )
        return rows
