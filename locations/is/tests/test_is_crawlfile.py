"""The crawl-file reader accepts the crawler's shape and refuses anything else with CrawlFileError."""

import json

import pytest
from dag_is.lib import rows
from dag_is.lib.crawlfile import CrawlFileError, read_crawl_file
from helpers import post
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=20,
)
FIELDS = st.sampled_from(
    ["post_id", "site", "board", "timestamp", "crawledAt", "view_count", "images", "embeddedContent", "comments",
     "tags", "id", "replies", "likeCount", "title", "url", "content", "author", "html", "isDeleted", "category"]
)  # fmt: skip


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    field=FIELDS,
    value=JSON,
    nested=st.booleans(),
)
def test_a_post_with_any_value_in_any_field_reads_or_fails_with_crawl_file_error(
    tmp_path, field, value, nested
):
    sample = post("1", comments=[{"id": "c1", "replies": []}])
    target = sample["comments"][0] if nested else sample
    target[field] = value
    path = tmp_path / "f.json"
    path.write_text(
        json.dumps([{"meta": {"site": "ppomppu", "board": "hot"}, "posts": [sample]}]), encoding="utf-8"
    )
    try:
        document = read_crawl_file(path)
    except CrawlFileError as error:
        assert str(path) in str(error)
        return
    for accepted in document.posts:  # what the reader accepts, the row builders turn into rows
        rows.post_row(accepted, None)
        list(rows.comment_rows(accepted))
        list(rows.image_rows(accepted))
        list(rows.embed_rows(accepted))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(document=JSON)
def test_any_json_document_reads_or_fails_with_crawl_file_error(tmp_path, document):
    path = tmp_path / "g.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    try:
        read_crawl_file(path)
    except CrawlFileError as error:
        assert str(path) in str(error)


def test_bytes_that_are_not_utf8_name_the_line_column_and_byte(tmp_path):
    path = tmp_path / "h.json"
    path.write_bytes(b'[{"posts": [],\n  "meta": "' + "뽐뿌".encode("cp949") + b'"}]')
    with pytest.raises(CrawlFileError, match=r"not UTF-8 at line 2 column 12 \(byte 26"):
        read_crawl_file(path)
