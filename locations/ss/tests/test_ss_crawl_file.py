"""Reading crawl files: the accepted shapes, errors naming file and position, counted rejects."""

from __future__ import annotations

import json

import pytest
from dag_ss.lib.crawl_file import CrawlFileError, read_crawl_file
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

POST = {"post_id": "1", "url": "https://www.ppomppu.co.kr/zboard/view.php?id=phone&no=1", "title": "t"}


def test_a_bare_object_is_read_like_the_one_element_array(tmp_path):
    path = tmp_path / "a.json"
    path.write_text(json.dumps({"meta": {"site": "ppomppu"}, "posts": [POST]}), encoding="utf-8")
    assert read_crawl_file(path).posts[0]["post_id"] == "1"


def test_broken_json_names_the_file_line_and_column(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('[{"meta": {},\n "posts": [ {"post_id": 1,, } ]}]', encoding="utf-8")
    with pytest.raises(CrawlFileError, match=r"broken\.json: invalid JSON at line 2, column"):
        read_crawl_file(path)


def test_an_html_error_page_instead_of_json_is_refused(tmp_path):
    path = tmp_path / "page.json"
    path.write_text("<html><body>502 Bad Gateway</body></html>", encoding="utf-8")
    with pytest.raises(CrawlFileError, match="page.json: invalid JSON at line 1, column 1"):
        read_crawl_file(path)


def test_a_file_in_another_encoding_is_refused_with_the_byte(tmp_path):
    path = tmp_path / "euc.json"
    path.write_bytes(
        json.dumps({"posts": [{**POST, "title": "휴대폰"}]}, ensure_ascii=False).encode("euc-kr")
    )
    with pytest.raises(CrawlFileError, match="not UTF-8"):
        read_crawl_file(path)


def test_bad_posts_are_counted_by_reason_and_bad_numbers_become_empty(tmp_path):
    posts = [
        POST,
        {**POST, "post_id": ""},
        {**POST, "post_id": "2", "url": None},
        "x",
        {**POST, "post_id": "3", "view_count": "1,234", "like_count": "many", "timestamp": "어제"},
    ]
    path = tmp_path / "mixed.json"
    path.write_text(json.dumps([{"meta": {}, "posts": posts}], ensure_ascii=False), encoding="utf-8")
    crawl = read_crawl_file(path)
    assert crawl.rejected == {"missing_post_id": 1, "missing_url": 1, "not_an_object": 1}
    third = crawl.posts[1]
    assert (third["view_count"], third["like_count"], third["posted_at"]) == (1234, None, None)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=10),
        lambda c: (
            st.lists(c, max_size=3)
            | st.dictionaries(
                st.sampled_from(["meta", "posts", "post_id", "url", "title", "comments", "timestamp"]),
                c,
                max_size=4,
            )
        ),
        max_leaves=20,
    )
)
def test_any_json_document_is_read_or_refused_with_the_documented_error(tmp_path, document):
    path = tmp_path / "h.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    try:
        read_crawl_file(path)
    except CrawlFileError:
        pass
