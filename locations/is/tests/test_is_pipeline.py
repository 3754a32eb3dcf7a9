"""End to end on the local stand-in: crawl asset → crawl file → sensor → ingest into Postgres."""

import os

import pytest
from helpers import SensorTicks, counts, crawl, ingest, query


@pytest.fixture
def stack(data_dir, postgres_url):
    return data_dir, postgres_url


def test_a_crawl_lands_a_file_the_sensor_ingests_once_into_every_table(stack):
    data_dir, url = stack
    crawled = crawl()
    metadata = crawled.asset_materializations_for_node("is_crawl_ppomppu_hot")[0].metadata
    assert metadata["dagster/row_count"].value == 8
    assert metadata["requests"].value == 12
    assert metadata["failed"].value == 1  # the 404 of the post deleted since its list page was saved
    assert metadata["failed_posts"].value == 0 and metadata["deleted_posts"].value == 2
    assert metadata["embeds_by_type"].value == {"video": 1, "x": 1, "youtube": 1}
    ticks = SensorTicks()
    (request,) = ticks.tick()
    assert request.tags["site"] == "ppomppu" and request.tags["mode"] == "incremental"
    assert ticks.tick() == []  # the same file is not requested twice
    result = ingest(url, request)
    assert result.success
    assert counts(url) == {
        "posts": 8, "post_versions": 6, "post_comments": 10, "post_images": 3, "post_embeds": 3,
        "post_snapshots": 6, "sites": 1, "post_signatures": 8, "post_enrichment": 6, "media_enrichment_jobs": 5,
    }  # fmt: skip
    assert list((data_dir / "is" / "output").glob("*.json")) == []
    assert len(list((data_dir / "is" / "processed").glob("*/*.json"))) == 1
    assert ticks.tick() == []  # a processed file is never requested again
    assert query(url, "SELECT post_id FROM posts WHERE is_deleted ORDER BY post_id") == [
        ("9870013",),
        ("9870015",),
    ]
    keys = {m.asset_key.to_user_string() for m in result.get_asset_materialization_events()}
    assert len(keys) == 8


def test_recrawling_and_reingesting_everything_adds_only_snapshot_rows(stack):
    _, url = stack
    crawl()
    ticks = SensorTicks()
    for request in ticks.tick():
        ingest(url, request)
    before = counts(url)
    crawl()  # incremental: nothing new, a file without posts
    crawl({"mode": "interval", "window": "48h"})
    crawl({"mode": "interval", "window": "48h"})
    requests = ticks.tick()
    assert len(requests) == 3
    for request in requests:
        ingest(url, request)
    after = counts(url)
    assert after["post_snapshots"] == before["post_snapshots"] + 2 * 5  # 7 posts in 48 h, 2 of them deleted
    assert {t: n for t, n in after.items() if t != "post_snapshots"} == {
        t: n for t, n in before.items() if t != "post_snapshots"
    }


def test_a_rewritten_file_is_ingested_again_and_an_unchanged_one_is_not(stack):
    data_dir, url = stack
    crawl()
    ticks = SensorTicks()
    (request,) = ticks.tick()
    path = (
        data_dir
        / "is"
        / "output"
        / os.path.basename(request.run_config["ops"]["is_posts"]["config"]["file_path"])
    )
    # The run failed before moving the file (say the database was down): the sensor waits for a rewrite.
    assert ticks.tick() == []
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    (again,) = ticks.tick()
    assert again.run_key != request.run_key
    assert ingest(url, again).success
    assert counts(url)["posts"] == 8


def test_a_malformed_file_fails_its_run_with_a_message_naming_the_file(stack):
    data_dir, url = stack
    bad = data_dir / "is" / "output" / "ppomppu_hot_2026-11-29_06-00-00_incremental.json"
    bad.parent.mkdir(parents=True, exist_ok=True)
    bad.write_text('[{"meta": {"site": "ppomppu", "board": "hot"}, "posts": [{"post_id": 5}]}]')
    (request,) = SensorTicks().tick()
    result = ingest(url, request, raise_on_error=False)
    assert not result.success
    failure = result.failure_data_for_node("is_posts")
    assert str(bad) in failure.user_failure_data.description
    assert "post 0" in failure.user_failure_data.description
    assert bad.exists()  # left in place for an operator


def test_a_file_that_is_not_json_names_the_line(stack, tmp_path):
    _, url = stack
    bad = tmp_path / "ppomppu_hot_2026-11-29_06-00-00_incremental.json"
    bad.write_text('[{"meta": {}\n "posts": []}]')
    result = ingest(url, bad, raise_on_error=False)
    description = result.failure_data_for_node("is_posts").user_failure_data.description
    assert str(bad) in description and "line 2" in description


def test_all_four_boards_crawl_offline_and_land_in_the_warehouse(stack):
    import dagster as dg
    from dag_is.defs.board_crawl import BOARDS, board_crawl_asset
    from dag_is.defs.resources import IsCrawlResource

    assets = [board_crawl_asset(board) for board in BOARDS]
    assert dg.materialize(assets, resources={"is_crawl": IsCrawlResource()}).success
    requests = SensorTicks().tick()
    assert sorted(r.tags["site"] for r in requests) == ["clien", "damoang", "fmkorea", "ppomppu"]
    _, url = stack
    for request in requests:
        ingest(url, request)
    rows = query(url, "SELECT site, count(*), sum(comment_count) FROM posts GROUP BY site ORDER BY site")
    assert rows == [("clien", 8, 7), ("damoang", 6, 7), ("fmkorea", 5, 6), ("ppomppu", 8, 10)]
    assert query(url, "SELECT count(*) FROM sites") == [(4,)]
    types = query(url, "SELECT type, count(*) FROM post_embeds GROUP BY type ORDER BY type")
    assert types == [("video", 3), ("x", 3), ("youtube", 4)]
