"""Headless Chromium (Playwright for Python) opening search pages and screenshotting the logo.

The waits and the selector come from `dag_shared.images.lib.naver`. Page loads are retried with
tenacity; a company whose page still fails is reported as a failure, not as "no logo".
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from dag_shared.images.lib import naver
from dag_shared.images.logo_crawler.settings import CHROMIUM_ARGS, CrawlSettings

PAGE_TIMEOUT_MS = 30_000


@dataclass(frozen=True)
class PageResult:
    company_id: str
    name: str
    png: bytes | None = None  # None: the page has no company-info logo
    error: str | None = None


async def logo_of_page(page, url: str) -> bytes | None:
    """The element screenshot (PNG) of the company-info logo on `url`, or None when absent."""
    from playwright.async_api import TimeoutError as PlaywrightTimeout

    response = await page.goto(url, wait_until="domcontentloaded", timeout=PAGE_TIMEOUT_MS)
    if response is not None and response.status >= 400:
        raise RuntimeError(f"search page answered HTTP {response.status}")
    try:
        await page.wait_for_load_state("networkidle", timeout=naver.NETWORK_IDLE_TIMEOUT_MS)
    except PlaywrightTimeout:
        pass  # busy live pages may never go idle; the result container decides
    await page.wait_for_selector(naver.RESULT_CONTAINER, timeout=naver.RESULT_CONTAINER_TIMEOUT_MS)
    logos = page.locator(naver.LOGO_SELECTOR)
    if await logos.count() == 0:
        return None
    logo = logos.first
    await logo.wait_for(state="visible", timeout=naver.RESULT_CONTAINER_TIMEOUT_MS)
    await page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0",
        arg=await logo.element_handle(),
        timeout=naver.RESULT_CONTAINER_TIMEOUT_MS,
    )
    return await logo.screenshot(type="png")


async def crawl(
    settings: CrawlSettings,
    companies: Sequence[tuple[str, str]],
    on_result: Callable[[PageResult], Awaitable[None]],
) -> None:
    """Opens each company's search page with `settings.concurrency` pages at a time."""
    from playwright.async_api import Error as PlaywrightError
    from playwright.async_api import async_playwright
    from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_exponential

    queue: asyncio.Queue[tuple[str, str]] = asyncio.Queue()
    for company in companies:
        queue.put_nowait(company)

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=settings.chromium_path, headless=True, args=list(CHROMIUM_ARGS)
        )
        context = await browser.new_context(viewport={"width": 1280, "height": 900}, device_scale_factor=1)

        async def worker() -> None:
            page = await context.new_page()
            while not queue.empty():
                company_id, name = queue.get_nowait()
                url = naver.search_url(settings.search_url, name)
                try:
                    async for attempt in AsyncRetrying(
                        stop=stop_after_attempt(settings.page_attempts),
                        wait=wait_exponential(multiplier=0.5, max=5),
                        retry=retry_if_exception_type((PlaywrightError, RuntimeError)),
                        reraise=True,
                    ):
                        with attempt:
                            png = await logo_of_page(page, url)
                    result = PageResult(company_id, name, png=png)
                except (PlaywrightError, RuntimeError) as error:
                    message = str(error).splitlines()[0] if str(error) else type(error).__name__
                    result = PageResult(company_id, name, error=message[:300])
                await on_result(result)
            await page.close()

        try:
            await asyncio.gather(
                *(worker() for _ in range(min(settings.concurrency, max(len(companies), 1))))
            )
        finally:
            await context.close()
            await browser.close()
