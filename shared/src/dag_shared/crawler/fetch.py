"""Fetching board pages: httpx by default, Chromium through Playwright for sites that need a browser.

Both fetchers answer `fetch(url, ...) -> Page` with the decoded text: a page is decoded by the
charset its Content-Type header declares, else by its `<meta charset>`, else as UTF-8 (ppomppu
still serves EUC-KR). Requests to one host are spaced by a polite minimum interval, and transient
failures (connection errors, timeouts, HTTP 429 and 5xx) are retried with exponential backoff by
tenacity; any other HTTP error fails at once with a `FetchError` naming the URL. Every request is
counted in `FetchStats`, which the crawl reports as materialization metadata.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol
from urllib.parse import urlsplit

DEFAULT_USER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"
)
CHROMIUM_PATH = "/usr/bin/chromium"
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_-]+)""", re.IGNORECASE)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_-]+)", re.IGNORECASE)


class FetchError(RuntimeError):
    """A page could not be fetched; the message names the URL and the reason."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class TransientFetchError(FetchError):
    """A failure worth retrying (network error, timeout, 429, 5xx)."""


@dataclass(frozen=True)
class Page:
    """A fetched page: its final URL, HTTP status, decoded text and the charset used."""

    url: str
    status: int
    text: str
    charset: str


@dataclass
class FetchStats:
    requests: int = 0
    succeeded: int = 0
    failed: int = 0
    retries: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, **counts: int) -> None:
        with self._lock:
            for name, value in counts.items():
                setattr(self, name, getattr(self, name) + value)


class Fetcher(Protocol):
    stats: FetchStats

    def fetch(self, url: str, *, headers: dict[str, str] | None = None) -> Page: ...

    def close(self) -> None: ...


def declared_charset(content_type: str | None, body: bytes) -> str:
    """The charset a response declares (header first, then `<meta>`), UTF-8 when it declares none."""
    if content_type and (m := _HEADER_CHARSET.search(content_type)):
        return _normalise_charset(m[1])
    if m := _META_CHARSET.search(body[:4096]):
        return _normalise_charset(m[1].decode("ascii"))
    return "utf-8"


def _normalise_charset(name: str) -> str:
    lowered = name.strip().lower()
    # Korean boards label CP949 pages EUC-KR; CP949 is the superset browsers decode them with.
    return "cp949" if lowered in {"euc-kr", "euckr", "ks_c_5601-1987", "cp949", "ms949"} else lowered


def decode_body(content_type: str | None, body: bytes) -> tuple[str, str]:
    """The body as text and the charset used; undecodable bytes become U+FFFD, as in a browser."""
    charset = declared_charset(content_type, body)
    try:
        return body.decode(charset, errors="replace"), charset
    except LookupError:
        return body.decode("utf-8", errors="replace"), "utf-8"


class _HostThrottle:
    """Keeps at least `interval` seconds between two requests to the same host."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self._next: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait(self, url: str) -> None:
        if self.interval <= 0:
            return
        host = urlsplit(url).netloc
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next.get(host, now))
            self._next[host] = start + self.interval
        if start > now:
            time.sleep(start - now)


def _retrying(attempts: int, stats: FetchStats):
    from tenacity import retry, retry_if_exception_type, stop_after_attempt, wait_exponential

    def count_retry(_state) -> None:
        stats.add(retries=1)

    return retry(
        retry=retry_if_exception_type(TransientFetchError),
        stop=stop_after_attempt(attempts),
        wait=wait_exponential(multiplier=0.5, max=10),
        before_sleep=count_retry,
        reraise=True,
    )


def check_status(url: str, status: int) -> None:
    """Rate limits and server errors are worth a retry; other 4xx answers are final."""
    if status == 429 or status >= 500:
        raise TransientFetchError(f"{url}: HTTP {status}")
    if status >= 400:
        raise FetchError(f"{url}: HTTP {status}", status)


class _CountingFetcher:
    """`fetch` for every fetcher: retries under the policy, counts successes and final failures."""

    stats: FetchStats
    _fetch_with_retries: Callable[[str, dict[str, str]], Page]

    def fetch(self, url: str, *, headers: dict[str, str] | None = None) -> Page:
        try:
            page = self._fetch_with_retries(url, headers or {})
        except FetchError:
            self.stats.add(failed=1)
            raise
        self.stats.add(succeeded=1)
        return page


class HttpxFetcher(_CountingFetcher):
    """Plain HTTP with httpx: the default for every board whose pages render without a browser."""

    def __init__(
        self,
        *,
        min_interval: float = 1.0,
        attempts: int = 3,
        timeout: float = 20.0,
        user_agent: str = DEFAULT_USER_AGENT,
    ) -> None:
        import httpx

        self.stats = FetchStats()
        self._throttle = _HostThrottle(min_interval)
        self._client = httpx.Client(
            timeout=timeout,
            follow_redirects=True,
            headers={"User-Agent": user_agent, "Accept-Language": "ko-KR,ko;q=0.9,en;q=0.5"},
        )
        self._fetch_with_retries = _retrying(attempts, self.stats)(self._fetch_once)

    def _fetch_once(self, url: str, headers: dict[str, str]) -> Page:
        import httpx

        self._throttle.wait(url)
        self.stats.add(requests=1)
        try:
            response = self._client.get(url, headers=headers)
        except httpx.TransportError as error:
            raise TransientFetchError(f"{url}: {type(error).__name__}: {error}") from error
        check_status(url, response.status_code)
        text, charset = decode_body(response.headers.get("content-type"), response.content)
        return Page(str(response.url), response.status_code, text, charset)

    def close(self) -> None:
        self._client.close()


class PlaywrightFetcher(_CountingFetcher):
    """Chromium (Debian's /usr/bin/chromium) through Playwright, for boards that need a browser.

    Each request loads the page in a fresh tab and returns the rendered DOM; XHR-style requests
    (an `X-Requested-With` header) are sent through the browser context's request API instead.
    """

    def __init__(
        self,
        *,
        min_interval: float = 1.0,
        attempts: int = 3,
        timeout: float = 30.0,
        executable_path: str = CHROMIUM_PATH,
        user_agent: str = DEFAULT_USER_AGENT,
    ) -> None:
        from playwright.sync_api import sync_playwright

        self.stats = FetchStats()
        self._throttle = _HostThrottle(min_interval)
        self._timeout_ms = timeout * 1000
        self._playwright = sync_playwright().start()
        self._browser = self._playwright.chromium.launch(
            executable_path=executable_path, args=list(CHROMIUM_ARGS), headless=True
        )
        self._context = self._browser.new_context(
            user_agent=user_agent, locale="ko-KR", viewport={"width": 1280, "height": 1800}
        )
        self._fetch_with_retries = _retrying(attempts, self.stats)(self._fetch_once)

    def _fetch_once(self, url: str, headers: dict[str, str]) -> Page:
        from playwright.sync_api import Error as PlaywrightError

        self._throttle.wait(url)
        self.stats.add(requests=1)
        try:
            if "X-Requested-With" in headers:
                response = self._context.request.get(url, headers=headers, timeout=self._timeout_ms)
                status = response.status
                check_status(url, status)
                text, charset = decode_body(response.headers.get("content-type"), response.body())
                return Page(response.url, status, text, charset)
            tab = self._context.new_page()
            try:
                response = tab.goto(url, wait_until="domcontentloaded", timeout=self._timeout_ms)
                status = response.status if response is not None else 200
                check_status(url, status)
                return Page(tab.url, status, tab.content(), "utf-8")
            finally:
                tab.close()
        except PlaywrightError as error:
            raise TransientFetchError(f"{url}: {error}") from error

    def close(self) -> None:
        self._context.close()
        self._browser.close()
        self._playwright.stop()
