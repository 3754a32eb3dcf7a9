"""The IS part of the bad-input corpus (tests_faults/bad_inputs/is/), in the is environment.

Each crawl file is read as the ingest reads it and fails with `CrawlFileError` naming the file and
where: line and column for bytes that are not UTF-8 or not JSON, the post (index and post_id) and
field for a post of the wrong shape. Then each is ingested over a loaded crawl: the ingest fails,
and every table keeps its rows.

Run: cd locations/is && ../../scripts/uv.sh run --frozen pytest ../../tests_faults/bad_inputs/test_is_bad_inputs.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from dag_is.lib.crawlfile import CrawlFileError, read_crawl_file

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "locations" / "is" / "tests"))
from helpers import counts, post, write_file

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import oversized

CORPUS = Path(__file__).parent / "is"
QUIET = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}


def ingest(postgres_url: str, path: Path, raise_on_error: bool = True):
    """The location's ingest of one crawl file, as the sensor's run does it (console log off)."""
    import dagster as dg
    from dag_is.defs.is_posts import is_posts
    from dag_shared.resources.postgres import PostgresResource

    return dg.materialize(
        [is_posts],
        resources={"is_postgres": PostgresResource(url=postgres_url)},
        run_config={"ops": {"is_posts": {"config": {"file_path": str(path)}}}, **QUIET},
        raise_on_error=raise_on_error,
    )


# file → fragment of the error after the file's path
EXPECTED = {
    "malformed_json.json": ": not JSON: Expecting ':' delimiter at line 37 column 13",
    "truncated_json.json": ": not JSON: Unterminated string starting at at line 70 column 5",
    "html_error_page.json": ": not JSON: Expecting value at line 1 column 1",
    "cp949_instead_of_utf8.json": ": not UTF-8 at line 15 column 15 (byte 310",
    "empty.json": ": not JSON: Expecting value at line 1 column 1",
    "post_missing_post_id.json": ": post 1: post_id missing or not a text",
    "post_missing_site.json": ": post 0: site missing or not a text",
    "impossible_date.json": ": post 0 (post_id 106): timestamp is not an ISO time: '2026-02-30T10:00:00+09:00'",
    "non_numeric_count.json": ": post 0 (post_id 107): view_count is not an integer: '1.2만'",
    "meta_without_board.json": ": meta.board missing",
    "posts_not_a_list.json": ": expected an object with meta and posts",
    "nested_too_deeply.json": ": not JSON the reader accepts (nested too deeply)",
    "comment_without_id.json": ": post 0 (post_id 108): a comment has no id",
    "two_documents.json": ": expected one [{meta, posts}] element, found 2",
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_bad_crawl_file_fails_naming_the_file_and_where(name):
    path = CORPUS / name
    with pytest.raises(CrawlFileError) as error:
        read_crawl_file(path)
    assert str(error.value).startswith(str(path)), error.value
    assert EXPECTED[name] in str(error.value), error.value
    print(f"\nis {name}: {str(error.value)[len(str(path)) + 2 :]}")


def test_an_oversized_crawl_file_is_refused_before_it_is_read(tmp_path):
    path = oversized(tmp_path / "huge.json", 4 * 1024**3)  # sparse: no disk space used
    with pytest.raises(CrawlFileError, match=r"huge\.json: 4294967296 bytes, more than the 268435456"):
        read_crawl_file(path)


@pytest.fixture(scope="module")
def loaded(tmp_path_factory, postgres_server_url):
    from dag_shared.embedded_postgres import drop_database, ensure_database

    folder = tmp_path_factory.mktemp("is-faults")
    database = f"dag_faults_is_{folder.name[-6:].replace('-', '_')}"
    url = ensure_database(postgres_server_url, database)
    assert ingest(url, write_file(folder / "good.json", [post("1"), post("2")])).success
    yield url
    drop_database(postgres_server_url, database)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_ingesting_a_bad_file_over_a_loaded_crawl_loses_nothing(loaded, name):
    before = counts(loaded)
    result = ingest(loaded, CORPUS / name, raise_on_error=False)
    assert not result.success
    [failure] = result.get_step_failure_events()
    assert str(CORPUS / name) in failure.event_specific_data.error.message
    assert counts(loaded) == before and before["posts"] == 2
