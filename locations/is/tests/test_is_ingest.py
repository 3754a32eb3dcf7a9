"""Ingest behaviour on files written in the crawler's shape: change detection, trees, media lists, sites."""

import pytest
from helpers import counts, ingest, post, query, write_file


@pytest.fixture
def url(postgres_url):
    return postgres_url


def comment(cid, replies=(), **fields):
    return {"id": f"ppomppu-hot-1_{cid}", "author": "a", "avatar": None, "content": f"c{cid}", "timestamp": None,
            "isReply": False, "replies": list(replies), "likeCount": 0, "dislikeCount": 0, "reactionCount": None,
            "raw": None, "html": None, "depth": 0, "parentId": None, "isDeleted": False, **fields}  # fmt: skip


def test_reingesting_the_same_file_changes_nothing(url, tmp_path):
    path = write_file(tmp_path / "a.json", [post("1", comments=[comment(1, [comment(2)])]), post("2")])
    ingest(url, path)
    before = query(url, "SELECT id, updated_at, crawled_at FROM posts ORDER BY id")
    snapshot = counts(url)
    result = ingest(url, path)
    assert counts(url) == snapshot
    assert query(url, "SELECT id, updated_at, crawled_at FROM posts ORDER BY id") == before
    assert result.asset_materializations_for_node("is_posts")[0].metadata["posts_same"].value == 2


def test_a_count_only_change_updates_the_counts_without_a_new_version(url, tmp_path):
    ingest(url, write_file(tmp_path / "a.json", [post("1")]))
    later = post("1", view_count=500, like_count=9, crawledAt="2026-11-29T07:00:00Z")
    ingest(url, write_file(tmp_path / "b.json", [later], crawled_at="2026-11-29T07:00:00Z"))
    assert query(url, "SELECT view_count, like_count FROM posts") == [(500, 9)]
    assert query(url, "SELECT count(*) FROM post_versions") == [(1,)]
    assert query(url, "SELECT view_count FROM post_snapshots ORDER BY timestamp") == [(10,), (500,)]


def test_an_edited_post_gets_a_new_version_and_a_new_text_rev(url, tmp_path):
    ingest(url, write_file(tmp_path / "a.json", [post("1")]))
    (rev_before,) = query(url, "SELECT text_rev FROM post_enrichment")
    edited = post("1", content="수정된 본문입니다", crawledAt="2026-11-29T07:00:00Z")
    ingest(url, write_file(tmp_path / "b.json", [edited]))
    assert query(url, "SELECT version, content FROM post_versions ORDER BY version") == [
        (1, "본문 1 내용입니다 sample text"), (2, "수정된 본문입니다"),
    ]  # fmt: skip
    assert query(url, "SELECT text_rev FROM post_enrichment") != [rev_before]


def test_every_comment_thread_has_its_own_root(url, tmp_path):
    tree = [comment(1, [comment(2, [comment(3)])]), comment(4, [comment(5)]), comment(6)]
    ingest(url, write_file(tmp_path / "a.json", [post("1", comments=tree)]))
    rows = query(
        url,
        "SELECT right(id, 1), right(root_id, 1), right(parent_id, 1), path, depth FROM post_comments ORDER BY path",
    )
    assert rows == [
        ("1", "1", None, "001", 0), ("2", "1", "1", "001.001", 1), ("3", "1", "2", "001.001.001", 2),
        ("4", "4", None, "002", 0), ("5", "4", "4", "002.001", 1), ("6", "6", None, "003", 0),
    ]  # fmt: skip


def test_images_and_embeds_that_leave_a_post_are_deleted_also_when_the_list_empties(url, tmp_path):
    youtube = {"type": "youtube", "url": "https://www.youtube.com/watch?v=abcdefghijk", "provider": "YouTube",
               "videoId": "abcdefghijk", "thumbnail": "https://i.ytimg.com/vi/abcdefghijk/hqdefault.jpg",
               "title": None, "description": None, "mimeType": None}  # fmt: skip
    two = ["https://cdn.example.com/1/a.jpg", "https://cdn.example.com/1/b.jpg"]
    ingest(url, write_file(tmp_path / "a.json", [post("1", images=two, embeddedContent=[youtube])]))
    assert query(url, "SELECT count(*) FROM post_images") == [(2,)]
    assert query(url, "SELECT count(*) FROM media_enrichment_jobs") == [(3,)]  # two images + the thumbnail
    ingest(url, write_file(tmp_path / "b.json", [post("1", images=two[1:], embeddedContent=[youtube])]))
    assert query(url, "SELECT url FROM post_images") == [(two[1],)]
    ingest(url, write_file(tmp_path / "c.json", [post("1", images=[], embeddedContent=[])]))
    assert counts(url)["post_images"] == 0 and counts(url)["post_embeds"] == 0


def test_a_post_the_crawler_found_deleted_is_flagged_and_keeps_its_last_text(url, tmp_path):
    ingest(url, write_file(tmp_path / "a.json", [post("1")]))
    gone = post("1", isDeleted=True, title="[삭제된 게시물]", content="", contentHtml="", images=[],
                view_count=None, like_count=None, crawledAt="2026-11-29T07:00:00Z")  # fmt: skip
    ingest(url, write_file(tmp_path / "b.json", [gone]))
    assert query(url, "SELECT is_deleted, title, content, view_count FROM posts") == [
        (True, "제목 1", "본문 1 내용입니다 sample text", 10)
    ]
    assert counts(url)["post_images"] == 0
    assert (counts(url)["post_versions"], counts(url)["post_snapshots"]) == (1, 1)
    again = counts(url)
    ingest(url, write_file(tmp_path / "c.json", [{**gone, "crawledAt": "2026-11-29T08:00:00Z"}]))
    assert counts(url) == again
    back = post("1", content="복구된 본문", crawledAt="2026-11-29T09:00:00Z")
    ingest(url, write_file(tmp_path / "d.json", [back]))
    assert query(url, "SELECT is_deleted, content FROM posts") == [(False, "복구된 본문")]


def test_sites_keep_one_row_per_board_with_the_latest_crawl(url, tmp_path):
    ingest(
        url,
        write_file(
            tmp_path / "b.json", [post("1", crawledAt="2026-11-29T08:00:00Z")], "2026-11-29T08:00:00Z"
        ),
    )
    ingest(
        url,
        write_file(
            tmp_path / "a.json", [post("2", crawledAt="2026-11-29T07:00:00Z")], "2026-11-29T07:00:00Z"
        ),
    )
    rows = query(url, "SELECT id, board, last_crawled_at::text FROM sites")
    assert rows == [("ppomppu", "hot", "2026-11-29 08:00:00+00")]


def test_a_legacy_node_crawler_file_without_is_deleted_and_as_a_bare_object_is_read(url, tmp_path):
    legacy = post("7")
    del legacy["isDeleted"]
    path = tmp_path / "legacy.json"
    import json

    path.write_text(json.dumps({"meta": {"site": "ppomppu", "board": "hot", "crawled_at": "2026-11-29T06:00:00Z"},
                                "posts": [legacy]}), encoding="utf-8")  # fmt: skip
    assert ingest(url, path).success
    assert query(url, "SELECT post_id, is_deleted FROM posts") == [("7", False)]


def test_a_file_with_a_bad_count_fails_whole_and_writes_nothing(url, tmp_path):
    path = write_file(tmp_path / "bad.json", [post("1"), post("2", view_count="many")])
    result = ingest(url, path, raise_on_error=False)
    description = result.failure_data_for_node("is_posts").user_failure_data.description
    assert "post 1 (post_id 2)" in description and "view_count" in description
    assert query(url, "SELECT count(*) FROM pg_tables WHERE tablename = 'posts'") == [(0,)]
