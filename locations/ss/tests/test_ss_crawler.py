"""The ppomppu 휴대폰포럼 site rules on the bundled sample pages, and the local crawl end to end."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import dagster as dg
import pytest
from dag_shared.crawler import Page
from dag_shared.crawler.sites.ppomppu_phone import SAMPLE_DIR, PpomppuPhone
from dag_ss.lib.crawl_file import read_crawl_file
from hypothesis import given
from hypothesis import strategies as st
from ss_runs import definitions, run_ingest, run_setup

from conftest import query

NOW = datetime.fromisoformat(json.loads((SAMPLE_DIR / "pages.json").read_text(encoding="utf-8"))["clock"])
RULES = PpomppuPhone()


def _page(name: str, path: str) -> Page:
    return Page(
        f"https://www.ppomppu.co.kr{path}", 200, (SAMPLE_DIR / name).read_bytes().decode("euc-kr"), "euc-kr"
    )


def test_the_list_skips_notices_ads_secret_posts_and_other_boards():
    items = RULES.parse_list(_page("list-1.html", "/zboard/zboard.php?id=phone&page=1"), NOW)
    assert [i.post_id for i in items] == ["6100112", "6100111", "6100110", "6100108", "6100105"]
    assert all("id=phone" in i.url for i in items)


def test_list_times_read_todays_clock_and_two_digit_years():
    first = RULES.parse_list(_page("list-1.html", "/zboard/zboard.php?id=phone&page=1"), NOW)[0]
    assert first.time_hint == datetime(2026, 11, 29, 5, 31, 2, tzinfo=UTC)  # 14:31:02 KST
    second_page = RULES.parse_list(_page("list-2.html", "/zboard/zboard.php?id=phone&page=2"), NOW)
    hints = {i.post_id: i.time_hint for i in second_page}
    assert hints["6100101"] == datetime(2026, 11, 28, 12, 5, 33, tzinfo=UTC)  # title "26.11.28 21:05:33"
    assert hints["6100097"] == datetime(
        2026, 11, 28, 1, 12, tzinfo=UTC
    )  # only "26.11.28 10:12" in the cell text
    assert hints["6100071"] == datetime(2026, 11, 26, 0, 0, tzinfo=UTC)


def test_a_detail_page_gives_the_post_and_its_comment_tree():
    detail = RULES.parse_detail(
        _page("view-phone-6100112.html", "/zboard/view.php?id=phone&page=1&divpage=1&no=6100112"),
        "6100112",
        NOW,
    )
    assert detail.title.startswith("SKT 번이 아이폰17 프로") and detail.author == "폰사냥꾼"
    assert "현완 52만" in detail.content and detail.timestamp == datetime(2026, 11, 29, 5, 31, tzinfo=UTC)
    assert [(c.cid, c.depth, c.parent_cid, c.author) for c in detail.comments] == [
        ("70001", 0, None, "행인1"),
        ("70002", 1, "70001", "폰사냥꾼"),
    ]


@given(st.text(max_size=300))
def test_the_list_parser_raises_only_its_parse_error(text):
    from dag_shared.crawler import ParseError

    try:
        RULES.parse_list(
            Page("https://www.ppomppu.co.kr/zboard/zboard.php?id=phone", 200, text, "utf-8"), NOW
        )
    except ParseError:
        pass


def test_the_local_crawl_writes_a_file_the_sensor_and_job_turn_into_deals(ss_env):
    from dag_ss.defs.resources import SsSettingsResource

    url = ss_env["postgres_url"]
    with dg.DagsterInstance.ephemeral() as instance:
        defs = definitions()
        crawl = defs.resolve_job_def("ss_crawl_job").execute_in_process(instance=instance)
        assert crawl.success
        files = list(ss_env["crawl"].glob("*.json"))
        assert len(files) == 1 and files[0].name.startswith("ppomppu_phone_")
        crawl_file = read_crawl_file(files[0])
        assert [p["post_id"] for p in crawl_file.posts][:2] == ["6100112", "6100111"]
        assert crawl_file.rejected == {"deleted": 1}  # 6100105 answered 404 after the list was saved

        run_setup(instance, defs)
        sensor = defs.resolve_sensor_def("ss_crawl_files_sensor")
        context = dg.build_sensor_context(
            instance=instance, definitions=defs, resources={"ss_settings": SsSettingsResource()}
        )
        tick = sensor(context)
        assert [r.partition_key for r in tick.run_requests] == [files[0].stem]
        result = run_ingest(instance, files[0].stem, defs)
        assert result.success
    models = {row[0] for row in query(url, "SELECT deal->>'model' FROM api_deals_json")}
    assert {"아이폰 17 프로", "갤럭시 S25 울트라", "갤럭시 Z 폴드 7", "아이폰 17"} <= models
    assert query(url, "SELECT count(*) FROM api_reports_daily_latest_json")[0][0] >= 4


@pytest.mark.parametrize("hours", ["5", "abc"])
def test_a_crawl_window_the_framework_does_not_offer_fails_clearly(ss_env, monkeypatch, hours):
    monkeypatch.setenv("SS_CRAWL_HOURS", hours)
    with dg.DagsterInstance.ephemeral() as instance:
        result = (
            definitions()
            .resolve_job_def("ss_crawl_job")
            .execute_in_process(instance=instance, raise_on_error=False)
        )
    assert not result.success
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    assert "SS_CRAWL_HOURS" in failure.event_specific_data.error.message
