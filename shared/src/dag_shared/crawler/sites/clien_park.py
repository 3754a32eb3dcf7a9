"""clien / park (클리앙 모두의공원): selectors and rules.

List `/service/board/park?od=T31&po=N` (po is 0-based): rows
`.list_content .list_item[data-role="list-row"]` (notices carry class `notice`), link
`a.list_subject`, id from `data-board-sn` (else the URL `/service/board/park/<id>`), time in
`.list_time .timestamp` (full) or `.list_time span`. Newest first.

Detail `/service/board/park/<id>`: title `h3.post_subject > span`, author `.post_info .nickname`,
date `.post_author .view_count.date`, views `.view_count strong`, likes `.symph_count strong`,
body `.post_article`. Comments: `.comment_row[data-role="comment-row"]`, id `data-comment-sn`,
depth from class `reN` (or `re` = 1), parent from the `commentReMentionOpen(<sn>, …)` of the row's
reply button when it names another comment, else the previous shallower row; a reply's leading
"@nick 님" mention is stripped. clien shows no dislikes (0), no category and no tags.
"""

from __future__ import annotations

import re
from datetime import datetime

from dag_shared.crawler.fetch import Page
from dag_shared.crawler.html import attr, body_parts, detail_tree, first_text, int_of, page_tree, text_of
from dag_shared.crawler.rules import CommentRow, DetailPage, ListItem, SiteRules
from dag_shared.crawler.timeparse import parse_kst_optional

_POST_URL = re.compile(r"/service/board/park/(\d+)")
_DEPTH_CLASS = re.compile(r"\bre(\d*)\b")
_MENTION_OPEN = re.compile(r"commentReMentionOpen\(\s*'?(\d+)")
_MENTION = re.compile(r"^@\S+\s*님\s*")
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}(?::\d{2})?")
_DELETED = re.compile(r"삭제된 게시물|게시물이 삭제되었습니다|존재하지 않는 게시물|접근 권한이 없습니다")


class ClienPark(SiteRules):
    site = "clien"
    board = "park"
    origin = "https://www.clien.net"

    def list_url(self, page: int) -> str:
        return f"{self.origin}/service/board/park?od=T31&po={page - 1}"

    def parse_list(self, page: Page, now: datetime) -> list[ListItem]:
        tree = page_tree(page, ".list_content", "a clien list page")
        items = []
        for row in tree.css('.list_content .list_item[data-role="list-row"]'):
            if "notice" in (attr(row, "class") or "").split():
                continue
            link = row.css_first("a.list_subject")
            href = attr(link, "href") or ""
            number = attr(row, "data-board-sn") or (m[1] if (m := _POST_URL.search(href)) else None)
            if link is None or not number or not number.isdigit():
                continue
            when = first_text(row, ".list_time .timestamp") or first_text(row, ".list_time span")
            title = first_text(link, ".subject_fixed") or text_of(link)
            items.append(
                ListItem(
                    number,
                    f"{self.origin}/service/board/park/{number}",
                    title,
                    parse_kst_optional(when, now),
                )
            )
        return items

    def parse_detail(self, page: Page, post_id: str, now: datetime) -> DetailPage:
        tree, title = detail_tree(page, "h3.post_subject > span", _DELETED, "a clien post page")
        if title is None:
            return DetailPage(title="", deleted=True)
        posted = _DATETIME.search(first_text(tree, ".post_author .view_count.date") or "")
        body = body_parts(tree.css_first(".post_article"), page.url)
        return DetailPage.of_body(
            title,
            body,
            author=first_text(tree, ".post_info .nickname"),
            avatar=None,
            timestamp=parse_kst_optional(posted[0] if posted else None, now),
            view_count=int_of(first_text(tree, ".post_author .view_count strong")),
            like_count=int_of(first_text(tree, ".post_title .symph_count strong")) or 0,
            dislike_count=0,
            comments=self._comments(tree, page.url, now),
            deleted=bool(_DELETED.search(title)),
        )

    def _comments(self, tree, base: str, now: datetime) -> list[CommentRow]:
        rows = []
        for node in tree.css('.comment_row[data-role="comment-row"]'):
            cid = attr(node, "data-comment-sn") or ""
            if not cid.isdigit():
                continue
            classes = attr(node, "class") or ""
            depth_match = _DEPTH_CLASS.search(classes)
            depth = (int(depth_match[1]) if depth_match[1] else 1) if depth_match else 0
            opener = node.css_first('[onclick*="commentReMentionOpen"]')
            named = _MENTION_OPEN.search(attr(opener, "onclick") or "")
            parent = named[1] if named and named[1] != cid else None
            body = body_parts(node.css_first(".comment_view"), base)
            text = _MENTION.sub("", body.text) if depth else body.text
            when = first_text(node, ".comment_time .timestamp")
            rows.append(
                CommentRow(
                    cid=cid,
                    depth=depth,
                    parent_cid=parent,
                    author=first_text(node, ".comment_info .nickname"),
                    content=text,
                    html=body.html,
                    timestamp=parse_kst_optional(when, now),
                    like_count=int_of(first_text(node, ".comment_symph strong")) or 0,
                    dislike_count=0,
                    deleted="삭제된 댓글" in text,
                )
            )
        return rows
