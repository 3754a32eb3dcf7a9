"""Each board's list and detail parsing on its bundled sample pages (saved in the boards' markup)."""

import hashlib
import json
from datetime import datetime
from pathlib import Path

import pytest

pytest.importorskip("selectolax", reason="the crawler extra is installed in the is and ss environments")

from dag_shared.crawler.crawl import assemble_post
from dag_shared.crawler.fetch import Page, decode_body
from dag_shared.crawler.rules import ListItem, ParseError
from dag_shared.crawler.sites import SITE_RULES, sample_dir, site_rules
from dag_shared.crawler.timeparse import TimeParseError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

NOW = datetime.fromisoformat("2026-11-29T15:00:00+09:00")


def page(board: str, file: str, url: str) -> Page:
    text, charset = decode_body(None, (sample_dir(board) / file).read_bytes())
    return Page(url, 200, text, charset)


def detail_post(board: str, file: str, url: str, post_id: str):
    rules = site_rules(board)
    detail = rules.parse_detail(page(board, file, url), post_id, NOW)
    return assemble_post(
        rules, ListItem(post_id, url, detail.title), detail, "2026-11-29T06:00:00.000Z"
    ), detail


def flat(comments):
    for comment in comments:
        yield comment
        yield from flat(comment["replies"])


def test_every_board_has_samples_labelled_as_samples_and_a_manifest_that_points_at_files():
    for board in SITE_RULES:
        manifest = json.loads((sample_dir(board) / "pages.json").read_text(encoding="utf-8"))
        assert "SAMPLE DATA" in manifest["note"]
        for entry in manifest["pages"].values():
            assert (sample_dir(board) / entry["file"]).is_file()


def test_ppomppu_list_page_is_euc_kr_and_reads_titles_ids_and_times_without_the_ad_row():
    raw = (sample_dir("ppomppu_hot") / "list-1.html").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    items = site_rules("ppomppu_hot").parse_list(
        page("ppomppu_hot", "list-1.html", "https://www.ppomppu.co.kr/hot.php?page=1"), NOW
    )
    assert [i.post_id for i in items] == ["9870011", "9870016", "9870012", "9870013", "9870014", "9870015"]
    assert items[0].title == "오늘 퇴근길 지하철 대란 & 사진 있음"
    assert items[0].url == "https://www.ppomppu.co.kr/zboard/view.php?id=freeboard&no=9870011"
    assert items[0].time_hint.isoformat() == "2026-11-29T05:31:02+00:00"


def test_ppomppu_detail_reads_the_embedded_comment_json_and_names_the_next_comment_pages():
    url = "https://www.ppomppu.co.kr/zboard/view.php?id=freeboard&no=9870011"
    post, detail = detail_post("ppomppu_hot", "view-freeboard-9870011.html", url, "9870011")
    assert (post["view_count"], post["like_count"], post["dislike_count"]) == (1532, 27, 2)
    assert post["timestamp"] == "2026-11-29T05:31:00Z"
    assert post["images"] == [
        "https://cdn.ppomppu.co.kr/zboard/data3/2026/1129/m_subway1.jpg",
        "https://www.ppomppu.co.kr/zboard/data3/2026/1129/subway2.png",
    ]  # the tracking pixel is gone
    assert [(e["type"], e["videoId"]) for e in post["embeddedContent"]] == [("youtube", "dQw4w9WgXcQ")]
    assert detail.comment_page_urls == [
        "https://www.ppomppu.co.kr/zboard/comment.php?id=freeboard&no=9870011&c_page=2&comment_mode="
    ]
    comments = list(flat(post["comments"]))
    assert [c["depth"] for c in comments] == [0, 1, 2, 0]
    assert comments[2]["parentId"] == "ppomppu-hot-9870011_50002"
    assert comments[3]["isDeleted"] is True
    assert comments[0]["likeCount"] == 12 and comments[0]["dislikeCount"] == 1


def test_ppomppu_detail_without_embedded_json_reads_the_comment_rows_and_tweet_and_video():
    url = "https://www.ppomppu.co.kr/zboard/view.php?id=humor&no=9870012"
    post, detail = detail_post("ppomppu_hot", "view-humor-9870012.html", url, "9870012")
    assert detail.comment_page_urls == []
    assert [c["id"] for c in flat(post["comments"])] == [
        "ppomppu-hot-9870012_60001", "ppomppu-hot-9870012_60002", "ppomppu-hot-9870012_60003",
    ]  # fmt: skip
    assert post["comments"][1]["dislikeCount"] == 7
    assert post["images"] == ["https://cdn.ppomppu.co.kr/zboard/data3/2026/1129/cat.gif"]
    assert {e["type"]: e["videoId"] for e in post["embeddedContent"]} == {
        "x": "1862012345678901234",
        "video": None,
    }
    tweet = next(e for e in post["embeddedContent"] if e["type"] == "x")
    assert tweet["url"] == "https://x.com/i/web/status/1862012345678901234"


def test_a_deleted_ppomppu_post_is_detected_from_its_alert_page():
    url = "https://www.ppomppu.co.kr/zboard/view.php?id=freeboard&no=9870013"
    post, _ = detail_post("ppomppu_hot", "view-freeboard-9870013.html", url, "9870013")
    assert post["isDeleted"] is True and post["content"] == ""


def test_clien_list_skips_the_notice_and_detail_strips_reply_mentions():
    rules = site_rules("clien_park")
    items = rules.parse_list(page("clien_park", "list-0.html", rules.list_url(1)), NOW)
    assert [i.post_id for i in items] == ["18812348", "18812347", "18812345", "18812340", "18812333"]
    assert items[2].url == "https://www.clien.net/service/board/park/18812345"
    url = items[2].url
    post, _ = detail_post("clien_park", "view-18812345.html", url, "18812345")
    comments = list(flat(post["comments"]))
    assert [(c["depth"], c["content"]) for c in comments[:3]] == [
        (0, "사진 좋네요"),
        (1, "저도 그렇게 생각해요"),
        (2, "ㅎㅎ"),
    ]
    assert comments[2]["parentId"] == "clien-park-18812345_902"
    assert (post["dislike_count"], post["category"], post["tags"]) == (0, None, [])
    assert post["embeddedContent"][0]["videoId"] == "abcDEF12345"  # youtube-nocookie iframe
    assert post["view_count"] == 1204 and post["timestamp"] == "2026-11-29T05:52:10Z"


def test_clien_deleted_post_page_is_emitted_as_deleted():
    post, _ = detail_post(
        "clien_park", "view-18812300.html", "https://www.clien.net/service/board/park/18812300", "18812300"
    )
    assert post["isDeleted"] is True


def test_damoang_list_skips_notice_promotion_and_deleted_rows_and_reads_relative_days():
    rules = site_rules("damoang_free")
    items = rules.parse_list(page("damoang_free", "list-1.html", rules.list_url(1)), NOW)
    assert [i.post_id for i in items] == ["5555999", "5555995", "5555993", "5555990"]
    older = rules.parse_list(page("damoang_free", "list-2.html", rules.list_url(2)), NOW)
    assert [i.time_hint.isoformat() for i in older] == [
        "2026-11-28T14:10:00+00:00",
        "2026-11-26T15:00:00+00:00",
    ]


def test_damoang_detail_reads_category_tags_reactions_raw_text_and_indent_depths():
    post, _ = detail_post("damoang_free", "view-5555999.html", "https://damoang.net/free/5555999", "5555999")
    assert (post["category"], post["tags"]) == ("자유", ["점심", "메뉴"])
    assert post["timestamp"] == "2026-11-29T05:40:00Z"
    comments = list(flat(post["comments"]))
    assert [c["depth"] for c in comments] == [0, 1, 2, 0]
    assert comments[0]["reactionCount"] == 3 and comments[0]["raw"] == "국밥이죠"
    assert post["embeddedContent"][0]["videoId"] == "ZyXwVu98765"  # a YouTube link in the body


def test_fmkorea_list_reads_both_link_forms_and_detail_has_one_schema_with_ajax_comment_pages():
    rules = site_rules("fmkorea_best")
    items = rules.parse_list(page("fmkorea_best", "list-1.html", rules.list_url(1)), NOW)
    assert [i.post_id for i in items] == ["8300000100", "8300000090", "8300000050"]
    assert items[0].time_hint == NOW
    url = "https://www.fmkorea.com/best/8300000100"
    post, detail = detail_post("fmkorea_best", "view-8300000100.html", url, "8300000100")
    assert detail.comment_page_urls == ["https://www.fmkorea.com/?mid=best&document_srl=8300000100&cpage=2"]
    assert post["content"].startswith("이게 되네 ㅋㅋ")
    assert (
        post["content_hash"] == hashlib.md5(post["content"].encode()).hexdigest()
    )  # of the text, not the HTML
    assert [c["id"] for c in post["comments"]] == [
        "fmkorea-best-8300000100_8300000110", "fmkorea-best-8300000100_8300000120",
    ]  # the best comment's repeat at the top is kept once  # fmt: skip
    more = rules.parse_comment_page(
        page("fmkorea_best", "comments-8300000100-2.json", detail.comment_page_urls[0]), "8300000100", NOW
    )
    assert [(r.cid, r.parent_cid, r.depth) for r in more][:2] == [
        ("8300000130", None, 0),
        ("8300000131", "8300000110", 1),
    ]
    assert all(r.content for r in more)


def test_fmkorea_comment_page_that_is_not_json_is_a_parse_error():
    rules = site_rules("fmkorea_best")
    with pytest.raises(ParseError, match="cpage=2"):
        rules.parse_comment_page(Page("https://www.fmkorea.com/?cpage=2", 200, "<html>", "utf-8"), "1", NOW)


@pytest.mark.parametrize("board", sorted(SITE_RULES))
def test_a_page_of_another_kind_is_a_parse_error_naming_the_url(board):
    rules = site_rules(board)
    with pytest.raises(ParseError, match="example.com"):
        rules.parse_list(
            Page("https://example.com/x", 200, "<html><body>점검 중</body></html>", "utf-8"), NOW
        )
    with pytest.raises(ParseError, match="example.com"):
        rules.parse_detail(
            Page("https://example.com/x", 200, "<html><body>점검 중</body></html>", "utf-8"), "1", NOW
        )


FRAGMENTS = st.sampled_from(
    ['<div class="list_content">', '<table class="board_table"><tbody>', '<tr class="baseList">', '<td class="title">',
     '<a class="baseList-title" href="/zboard/view.php?id=a&no=1">', '<td class="board_date">', "</td>", "</tr>",
     '<div id="topTitle"><h1>', "</h1>", '<div class="list_item" data-role="list-row" data-board-sn="5">',
     '<a class="list_subject" href="/service/board/park/5">', '<span class="timestamp">', "</span>", "</div>",
     '<form id="fboardlist"><li class="list-group-item">', '<a class="da-article-link" href="/free/9">',
     '<span class="da-list-date">', '<div class="fm_best_widget"><li><h3 class="title">', '<a href="/best/3">',
     '<span class="regdate">', "initialCommentData = {", "};\n", "5분 전", "어제 23:10", "99:99", "26/13/40", "x"]
)  # fmt: skip


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    board=st.sampled_from(sorted(SITE_RULES)), parts=st.lists(FRAGMENTS | st.text(max_size=8), max_size=25)
)
def test_parsers_raise_nothing_but_their_documented_errors_on_any_markup(board, parts):
    rules = site_rules(board)
    html = "".join(parts)
    for parse in (
        lambda: rules.parse_list(Page(rules.list_url(1), 200, html, "utf-8"), NOW),
        lambda: rules.parse_detail(Page(rules.list_url(1), 200, html, "utf-8"), "1", NOW),
    ):
        try:
            parse()
        except (ParseError, TimeParseError):
            pass


def test_samples_exist_for_every_registered_board():
    assert {Path(sample_dir(b)).name for b in SITE_RULES} == set(SITE_RULES)
