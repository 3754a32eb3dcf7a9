"""ppomppu / hot (뽐뿌 핫게시판): selectors and rules.

List `hot.php?page=N`: rows `table.board_table tbody tr.baseList` (ad rows carry `#ad-icon` or
class `list_notice`), link `td.title a.baseList-title` to `/zboard/view.php?id=<board>&no=<no>`,
time in `td.board_date` (`HH:mm:ss` today, `YY/MM/DD` before). The list is curated, not chronological.

Detail `/zboard/view.php?id=<board>&no=<no>` (EUC-KR): title `#topTitle h1`, author
`#topTitle .topTitle-name`, date and views in `#topTitle .topTitle-mainbox li` (`등록일 …`, `조회수 …`),
votes `#vote_list_btn_txt` / `#vote_anti_list_btn_txt`, body `.board-contents`. Comments: the current
pages embed the first comment page as JSON (`var initialCommentData = {...};`: total_count,
page_count, comments with no, depth, parent, memo HTML, vote/anti_vote) and load the next pages from
`/zboard/comment.php?id=<board>&no=<no>&c_page=<n>&comment_mode=`; older pages show DOM rows
`#newbbs div[id^="comment_"]` (votes `#vote_cnt_<cid>`, `#anti_vote_cnt_<cid>`, raw text in
`#ori_comment_<cid> textarea`, depth from `data-depth` or the indent). Deleted or restricted posts
answer a page with an alert message instead of the post.
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

_INITIAL_COMMENTS = re.compile(r"initialCommentData\s*=\s*(\{.*?\})\s*;\s*(?:\n|</script>)", re.DOTALL)
_DELETED = re.compile(
    r"삭제되었거나|존재하지 않는 게시물|삭제된 게시물|권한이 없습니다|블라인드 처리|비밀글입니다"
)
_INDENT = re.compile(r"(?:padding|margin)-left\s*:\s*(\d+)px")
_AVATAR_SKIP = ("no_face.jpg",)


def _ids_from_url(url: str) -> tuple[str | None, str | None]:
    query = parse_qs(urlsplit(url).query)
    return (query.get("id") or [None])[0], (query.get("no") or [None])[0]


class PpomppuHot(SiteRules):
    site = "ppomppu"
    board = "hot"
    origin = "https://www.ppomppu.co.kr"
    list_is_chronological = False
    comment_headers: ClassVar[dict[str, str]] = {"X-Requested-With": "XMLHttpRequest"}

    def list_url(self, page: int) -> str:
        return f"{self.origin}/hot.php?page={page}"

    def parse_list(self, page: Page, now: datetime) -> list[ListItem]:
        tree = page_tree(page, "table.board_table", "a ppomppu list page")
        items: list[ListItem] = []
        for row in tree.css("table.board_table tbody tr.baseList"):
            if row.css_first("#ad-icon, .ad-icon") is not None or "list_notice" in (attr(row, "class") or ""):
                continue
            link = row.css_first("td.title a.baseList-title")
            url = absolute(attr(link, "href"), page.url)
            if link is None or url is None:
                continue
            if urlsplit(url).path not in ("/zboard/view.php", "/zboard/zboard.php"):
                continue
            _, number = _ids_from_url(url)
            if not number or not number.isdigit():
                continue
            when = first_text(row, "td.board_date")
            items.append(ListItem(number, url, text_of(link), parse_kst_optional(when, now)))
        return items

    def parse_detail(self, page: Page, post_id: str, now: datetime) -> DetailPage:
        tree, title = detail_tree(page, "#topTitle h1", _DELETED, "a ppomppu post page")
        if title is None:
            return DetailPage(title="", deleted=True)
        facts = [text_of(li) for li in tree.css("#topTitle .topTitle-mainbox li")]
        posted = next((f.split("등록일", 1)[1].strip() for f in facts if "등록일" in f), None)
        views = next((int_of(f) for f in facts if "조회수" in f), None)
        body = body_parts(tree.css_first(".board-contents"), page.url)
        avatar = next(
            (
                absolute(attr(img, "src"), page.url)
                for img in tree.css("#topTitle .topTitle-profile img")
                if not any(skip in (attr(img, "src") or "") for skip in _AVATAR_SKIP)
            ),
            None,
        )
        detail = DetailPage.of_body(
            title,
            body,
            author=first_text(tree, "#topTitle .topTitle-name"),
            avatar=avatar,
            timestamp=parse_kst_optional(posted, now),
            view_count=views,
            like_count=int_of(first_text(tree, "#vote_list_btn_txt")) or 0,
            dislike_count=int_of(first_text(tree, "#vote_anti_list_btn_txt")) or 0,
            category=first_text(tree, "#topTitle .topTitle-category"),
            deleted=bool(_DELETED.search(title)),
        )
        embedded = _INITIAL_COMMENTS.search(page.text)
        if embedded:
            data = self._comment_json(embedded[1], page.url)
            detail.comments = [self._json_row(c, page.url, now) for c in data.get("comments", [])]
            board, number = _ids_from_url(page.url)
            pages = int(data.get("page_count") or 1)
            detail.comment_page_urls = [
                f"{self.origin}/zboard/comment.php?id={board}&no={number}&c_page={n}&comment_mode="
                for n in range(2, pages + 1)
            ]
        else:
            detail.comments = self._dom_rows(tree, page.url, now)
        return detail

    def parse_comment_page(self, page: Page, post_id: str, now: datetime) -> list[CommentRow]:
        return self._dom_rows(parse_html(page.text), page.url, now)

    @staticmethod
    def _comment_json(text: str, url: str) -> dict:
        try:
            data = json.loads(text)
        except ValueError as error:
            raise ParseError(f"{url}: initialCommentData is not JSON ({error})") from None
        if not isinstance(data, dict):
            raise ParseError(f"{url}: initialCommentData is not an object")
        return data

    def _json_row(self, item: dict, base: str, now: datetime) -> CommentRow:
        html = item.get("memo") or ""
        body = body_parts(parse_html(f"<div>{html}</div>").css_first("div"), base)
        parent = str(item.get("parent") or "")
        deleted = bool(item.get("is_deleted")) or "삭제된 코멘트" in body.text
        return CommentRow(
            cid=str(item["no"]),
            depth=int(item.get("depth") or 0),
            parent_cid=parent if parent not in ("", "0") else None,
            author=item.get("name"),
            avatar=absolute(item.get("icon"), base),
            content=body.text,
            html=body.html,
            raw=item.get("raw"),
            timestamp=parse_kst_optional(item.get("regdate"), now),
            like_count=int(item.get("vote") or 0),
            dislike_count=int(item.get("anti_vote") or 0),
            deleted=deleted,
        )

    def _dom_rows(self, tree, base: str, now: datetime) -> list[CommentRow]:
        rows: list[CommentRow] = []
        for node in tree.css('#newbbs div[id^="comment_"]'):
            cid = (attr(node, "id") or "").removeprefix("comment_")
            if not cid.isdigit():
                continue
            indent = _INDENT.search(attr(node, "style") or "")
            depth = int(attr(node, "data-depth") or (int(indent[1]) // 25 if indent else 0))
            body = body_parts(node.css_first(f"#commentContent_{cid}, .comment_content"), base)
            raw = node.css_first(f"#ori_comment_{cid} textarea")
            when = first_text(node, ".comment_date, .eng-day")
            rows.append(
                CommentRow(
                    cid=cid,
                    depth=depth,
                    parent_cid=attr(node, "data-parent"),
                    author=first_text(node, ".comment_name, .com_name"),
                    avatar=absolute(attr(node.css_first(".comment_profile img"), "src"), base),
                    content=body.text,
                    html=body.html,
                    raw=raw.text(deep=True) if raw is not None else None,
                    timestamp=parse_kst_optional(when, now),
                    like_count=int_of(first_text(node, f"#vote_cnt_{cid}")) or 0,
                    dislike_count=int_of(first_text(node, f"#anti_vote_cnt_{cid}")) or 0,
                    deleted="삭제된 코멘트" in body.text,
                )
            )
        return rows
