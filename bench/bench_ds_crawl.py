"""Benchmark: logo crawl throughput (companies/min) of the crawler's browser code against the local
search stand-in, one page at a time (the baseline) and with several pages at a time.

Run: uv run --project locations/ds python bench/bench_ds_crawl.py [--companies 60] [--concurrency 4]

The stand-in (dag_shared.images.lib.standin) serves Naver-structured result pages with a company
card for 5 of every 6 names; Debian's Chromium opens each page, waits as on the live site
(network idle, the result container) and takes the element screenshot. No database or object
store is involved: this measures the browser part, which dominates a crawl. Live Naver is slower
(network, heavier pages); the figures compare concurrency settings on the same stand-in.
"""

from __future__ import annotations

import argparse
import asyncio
import time


def crawl_rate(companies: list[tuple[str, str]], search_url: str, concurrency: int) -> tuple[float, int]:
    from dag_shared.images.lib.companies import CompanyTable
    from dag_shared.images.logo_crawler.browser import crawl
    from dag_shared.images.logo_crawler.settings import CrawlSettings

    settings = CrawlSettings(
        table=CompanyTable(id_column="id", target_column="thumbnail"),
        search_url=search_url,
        bucket="bench",
        endpoint_url=None,
        region="auto",
        local_root="/tmp",
        chromium_path="/usr/bin/chromium",
        concurrency=concurrency,
        batch_size=None,
        timeout_seconds=3600,
        page_attempts=1,
    )
    found = []

    async def on_result(result) -> None:
        if result.error:
            raise RuntimeError(f"{result.name}: {result.error}")
        found.append(result.png is not None)

    start = time.perf_counter()
    asyncio.run(crawl(settings, companies, on_result))
    elapsed = time.perf_counter() - start
    return len(companies) / elapsed * 60, sum(found)


def main() -> None:
    from dag_shared.images.lib.standin import SearchStandIn

    parser = argparse.ArgumentParser()
    parser.add_argument("--companies", type=int, default=60)
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()
    names = [f"벤치 회사 {i} Co." for i in range(args.companies)]
    companies = [(str(1000 + i), name) for i, name in enumerate(names)]
    with SearchStandIn([n for i, n in enumerate(names) if i % 6]) as standin:
        base, logos = crawl_rate(companies, standin.search_url, 1)
        rate, logos_too = crawl_rate(companies, standin.search_url, args.concurrency)
    assert logos == logos_too
    print(f"Logo crawl against the local stand-in, {args.companies} companies ({logos} with a logo):")
    print(f"  {args.concurrency} pages at a time : {rate:8.1f} companies/min")
    print(f"  1 page at a time  : {base:8.1f} companies/min (baseline)")
    print(f"  speed-up          : {rate / base:8.2f}x")


if __name__ == "__main__":
    main()
