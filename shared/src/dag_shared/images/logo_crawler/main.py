"""The crawler's entry point: companies needing a logo → search pages → PNG in the source bucket.

Everything it learns reaches Dagster as Pipes messages: progress as logs, one custom message per
company (`company_id`, `found`, `key`, `error`) and a final materialization with the counts.
A setting, database, browser or upload failure ends the program with a non-zero exit (and the
Pipes session closes with the error), which fails the asset. Credentials are never printed.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time

from dag_shared.images.lib import keys
from dag_shared.images.lib.companies import needing_logo
from dag_shared.images.lib.storage import open_backend
from dag_shared.images.logo_crawler import settings as crawl_settings
from dag_shared.images.logo_crawler.browser import PageResult, crawl

PROGRESS_STEPS = 20


class Tally:
    def __init__(self, total: int):
        self.total = total
        self.done = self.found = self.saved = self.uploaded = self.failed = 0
        self.started = time.monotonic()

    def progress(self) -> str | None:
        every = max(1, self.total // PROGRESS_STEPS)
        if self.done % every and self.done != self.total:
            return None
        elapsed = time.monotonic() - self.started
        eta = elapsed / self.done * (self.total - self.done) if self.done else 0.0
        return (
            f"{self.done}/{self.total} ({100 * self.done // max(self.total, 1)}%): {self.found} logos, "
            f"{self.failed} failures, ETA {eta:.0f} s"
        )

    def counts(self) -> dict[str, int]:
        return {
            "companies": self.total,
            "found": self.found,
            "saved": self.saved,
            "uploaded": self.uploaded,
            "failed": self.failed,
        }


def _companies(settings: crawl_settings.CrawlSettings) -> list[tuple[str, str]]:
    import psycopg

    with psycopg.connect(crawl_settings.database_url(), connect_timeout=15) as conn:
        return needing_logo(conn, settings.table, settings.batch_size, settings.after_id)


def run(pipes) -> int:
    settings = crawl_settings.from_extras(dict(pipes.extras))
    store = open_backend(
        settings.bucket,
        endpoint_url=settings.endpoint_url,
        access_key_id=os.environ.get(crawl_settings.ACCESS_KEY_ENV) or None,
        secret_access_key=os.environ.get(crawl_settings.SECRET_KEY_ENV) or None,
        region=settings.region,
        local_root=settings.local_root,
    )
    store.reachable()
    companies = _companies(settings)
    tally = Tally(len(companies))
    pipes.log.info(
        f"crawling {len(companies)} companies without a logo, {settings.concurrency} pages at a time"
        + (f" (batch of at most {settings.batch_size})" if settings.batch_size else "")
    )

    async def on_result(result: PageResult) -> None:
        tally.done += 1
        key = None
        if result.error is not None:
            tally.failed += 1
            pipes.log.warning(f"company {result.company_id}: {result.error}")
        elif result.png is not None:
            tally.found += 1
            key = keys.png_key(result.company_id)
            tally.saved += 1
            # An upload failure is the store's problem, not the company's: it ends the crawl.
            await asyncio.to_thread(store.put, key, result.png, "image/png")
            tally.uploaded += 1
        pipes.report_custom_message(
            {
                "company_id": result.company_id,
                "name": result.name,
                "found": result.png is not None,
                "key": key,
                "bytes": len(result.png) if result.png is not None else 0,
                "error": result.error,
            }
        )
        line = tally.progress()
        if line:
            pipes.log.info(line)

    if companies:
        asyncio.run(asyncio.wait_for(crawl(settings, companies, on_result), timeout=settings.timeout_seconds))
    counts = tally.counts()
    pipes.report_asset_materialization(
        metadata={
            **{name: {"raw_value": value, "type": "int"} for name, value in counts.items()},
            "dagster/row_count": {"raw_value": tally.uploaded, "type": "int"},
            "bucket": {"raw_value": settings.bucket, "type": "text"},
            # Where the next batch starts (only with a batch size).
            "last_company_id": {"raw_value": companies[-1][0] if companies else "", "type": "text"},
        }
    )
    pipes.log.info(
        f"done: {tally.found} logos found and uploaded to {settings.bucket}, {tally.failed} failures, "
        f"{tally.total - tally.found - tally.failed} companies without a logo"
    )
    return 0


def main() -> int:
    from dagster_pipes import open_dagster_pipes

    with open_dagster_pipes() as pipes:
        try:
            return run(pipes)
        except crawl_settings.CrawlSettingsError as error:
            pipes.log.error(str(error))
            print(f"logo crawler: {error}", file=sys.stderr)
            return 2
