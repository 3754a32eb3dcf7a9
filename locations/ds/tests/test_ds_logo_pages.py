"""The selector and waits on saved pages and on the stand-in (real Chromium), and the parsers
(object keys, search URLs) under Hypothesis: they never raise anything but their documented error."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from dag_shared.images.lib import keys, naver
from dag_shared.images.lib.standin import SearchStandIn
from hypothesis import given
from hypothesis import strategies as st

PAGES = Path(__file__).with_name("saved_pages")


def _logo_of(url: str) -> bytes | None:
    from dag_shared.images.logo_crawler.browser import logo_of_page
    from dag_shared.images.logo_crawler.settings import CHROMIUM_ARGS
    from playwright.async_api import async_playwright

    async def run() -> bytes | None:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path="/usr/bin/chromium", args=list(CHROMIUM_ARGS)
            )
            try:
                page = await browser.new_page(device_scale_factor=1)
                return await logo_of_page(page, url)
            finally:
                await browser.close()

    return asyncio.run(run())


def _size(png: bytes) -> tuple[int, int]:
    """The screenshot's size, rounded to the logo's 96 px where sub-pixel layout adds a pixel."""
    from PIL import Image

    with Image.open(io.BytesIO(png)) as image:
        return tuple(96 if abs(side - 96) <= 1 else side for side in image.size)


def test_the_selector_takes_the_company_card_logo_and_nothing_else_on_saved_pages():
    logo = _logo_of((PAGES / "naver_company_card.html").as_uri())
    assert logo is not None and _size(logo) == (96, 96)  # not the 30x30 ad or the 60x40 news thumbnail
    assert _logo_of((PAGES / "naver_no_card.html").as_uri()) is None


def test_the_stand_in_serves_a_card_only_for_its_sample_companies():
    with SearchStandIn(["삼성전자", "F&F"]) as standin:
        assert _size(_logo_of(naver.search_url(standin.search_url, "F&F"))) == (96, 96)
        assert _logo_of(naver.search_url(standin.search_url, "없는 회사")) is None
        assert any("query=F%26F" in path for path in standin.requests)


@given(st.text(max_size=80))
def test_parsing_any_object_key_returns_a_logo_key_or_raises_the_documented_error(key):
    try:
        company_id, ext = keys.parse_key(key)
    except keys.LogoKeyError:
        return
    assert key == (keys.png_key(company_id) if ext == "png" else keys.webp_key(company_id))


@given(st.from_regex(r"[0-9A-Za-z][0-9A-Za-z_-]{0,63}", fullmatch=True))
def test_every_valid_company_id_round_trips_through_its_keys_and_url(company_id):
    assert keys.parse_key(keys.png_key(company_id)) == (company_id, "png")
    assert keys.parse_key(keys.webp_key(company_id)) == (company_id, "webp")
    url = keys.public_url("https://cdn.example.test/logos/", company_id)
    assert keys.key_of_public_url("https://cdn.example.test/logos", url) == keys.png_key(company_id)


@given(st.text(min_size=1, max_size=60).filter(lambda s: s.strip() == s and "\x00" not in s))
def test_a_search_url_carries_any_company_name_exactly(name):
    query = parse_qs(urlsplit(naver.search_url(naver.LIVE_SEARCH_URL, name)).query)
    assert query == {"where": ["nexearch"], "query": [name]}


@pytest.mark.parametrize("company_id", ["", "../etc", "a/b", "x" * 65, "한글"])
def test_unsafe_company_ids_are_refused(company_id):
    with pytest.raises(keys.LogoKeyError):
        keys.png_key(company_id)


@given(st.text(max_size=40))
def test_a_stand_in_page_shows_any_query_escaped_and_a_card_only_for_known_names(query):
    import html

    standin = SearchStandIn(["삼성전자", "F&F"])
    try:
        page = standin.page(query)
    finally:
        standin.stop()
    assert html.escape(query) in page and "<script" not in page.lower()
    card = 'class="' + " ".join(naver.COMPANY_CARD_CLASSES)  # the card's markup, not a query that names it
    assert (card in page) == (query in {"삼성전자", "F&F"})
