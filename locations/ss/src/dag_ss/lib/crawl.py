"""The ppomppu 휴대폰포럼 crawl of SS on the shared crawler framework (`dag_shared.crawler`).

Interval mode over the configured window (48 h by default): every post of the window is fetched
again for fresh counts and comments. Live when a base URL is configured; otherwise the framework's
local stand-in serves the bundled sample pages of the board, so the same code runs offline.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

WINDOW_HOURS = (1, 3, 6, 12, 24, 48)


@dataclass(frozen=True)
class CrawlSettings:
    output_dir: Path
    state_dir: Path
    hours: int = 48
    base_url: str = ""  # empty: the local stand-in with the bundled sample pages
    min_interval: float = 1.0


def board_rules(base_url: str):
    """The board's rules; a base URL other than the public site's replaces the live origin."""
    from dag_shared.crawler.sites.ppomppu_phone import PpomppuPhone

    if not base_url or base_url.rstrip("/") == PpomppuPhone.origin:
        return PpomppuPhone()
    return type("PpomppuPhoneAt", (PpomppuPhone,), {"origin": base_url.rstrip("/")})()


def run_phone_crawl(settings: CrawlSettings):
    """Crawl the board once and write one crawl file; returns the framework's BoardCrawlResult."""
    from dag_shared.crawler import CrawlMode
    from dag_shared.crawler.runner import run_board_crawl
    from dag_shared.crawler.sites.ppomppu_phone import SAMPLE_DIR

    if settings.hours not in WINDOW_HOURS:
        raise ValueError(f"SS_CRAWL_HOURS={settings.hours} is not one of {', '.join(map(str, WINDOW_HOURS))}")
    live = bool(settings.base_url.strip())
    return run_board_crawl(
        board_rules(settings.base_url),
        CrawlMode.interval(f"{settings.hours}h"),
        output_dir=settings.output_dir,
        state_dir=settings.state_dir,
        source="live" if live else "local",
        sample_dir=None if live else SAMPLE_DIR,
        min_interval=settings.min_interval,
    )
