"""One board crawl end to end: fetcher, local stand-in or live board, crawl, file, stop marker.

`run_board_crawl` is what a location's crawl asset calls. Local mode (the default) starts the
stand-in server on the board's sample folder and crawls it with the samples' clock as "now"; live
mode fetches the real board and looks YouTube titles up by oEmbed (`oembed`); boards that need a
browser use Chromium in both modes. The file is written
atomically into `output_dir`; the incremental stop marker in `state_dir` is advanced only after the
file is in place, and only with posts whose details succeeded. A lock file makes a second crawl of
the same board fail at once (`BoardBusyError`), so two runs never crawl one board at the same time.
"""

from __future__ import annotations

import fcntl
import os
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from dag_shared.crawler.crawl import CrawlMode, crawl
from dag_shared.crawler.fetch import CHROMIUM_PATH, HttpxFetcher, PlaywrightFetcher
from dag_shared.crawler.oembed import OEMBED_ENDPOINT, add_youtube_titles
from dag_shared.crawler.output import file_name, write_crawl_file
from dag_shared.crawler.rules import SiteRules
from dag_shared.crawler.standin import StandInServer
from dag_shared.crawler.state import load_marker, save_marker


class BoardBusyError(RuntimeError):
    """Another crawl of the same board is running."""


@dataclass(frozen=True)
class BoardCrawlResult:
    path: Path
    stats: dict[str, Any]
    failures: list[str]
    source: str


def _fetcher(rules: SiteRules, min_interval: float, chromium_path: str | None):
    """Chromium for boards that need a browser (offline too, so local runs take the same path)."""
    if rules.needs_browser:
        return PlaywrightFetcher(min_interval=min_interval, executable_path=chromium_path or CHROMIUM_PATH)
    return HttpxFetcher(min_interval=min_interval)


@contextmanager
def board_lock(state_dir: Path, name: str):
    state_dir.mkdir(parents=True, exist_ok=True)
    handle = os.open(state_dir / f"{name}.lock", os.O_CREAT | os.O_RDWR, 0o644)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BoardBusyError(f"{name}: another crawl of this board is running") from None
        yield
    finally:
        os.close(handle)


def run_board_crawl(
    rules: SiteRules,
    mode: CrawlMode,
    *,
    output_dir: Path,
    state_dir: Path,
    source: Literal["local", "live"] = "local",
    sample_dir: Path | None = None,
    min_interval: float = 1.0,
    chromium_path: str | None = None,
    oembed_endpoint: str | None = OEMBED_ENDPOINT,
) -> BoardCrawlResult:
    with board_lock(state_dir, rules.name):
        marker_path = state_dir / f"{rules.name}.marker.json"
        marker = load_marker(marker_path)
        fetcher = _fetcher(rules, min_interval if source == "live" else 0.0, chromium_path)
        try:
            if source == "live":
                outcome = crawl(rules, fetcher, mode, now=datetime.now(UTC), marker=marker)
                if oembed_endpoint:  # None turns the title lookup off
                    before = fetcher.stats.requests
                    cache = state_dir / "youtube_oembed.json"
                    outcome.failures.extend(
                        add_youtube_titles(outcome.posts, fetcher, cache, oembed_endpoint)
                    )
                    outcome.stats["oembed_requests"] = fetcher.stats.requests - before
            else:
                if sample_dir is None:
                    raise ValueError(f"{rules.name}: local mode needs a sample folder")
                with StandInServer(sample_dir) as server:
                    outcome = crawl(
                        rules, fetcher, mode, now=server.site.clock, marker=marker, origin=server.base_url
                    )
        finally:
            fetcher.close()
        meta = outcome.document[0]["meta"]
        name = file_name(rules.site, rules.board, mode.label, datetime.fromisoformat(meta["crawled_at"]))
        path = write_crawl_file(output_dir, name, outcome.document)
        if outcome.marker is not None:
            save_marker(marker_path, outcome.marker)
        return BoardCrawlResult(path, outcome.stats, outcome.failures, source)
