"""The crawl asset of one board (`is_crawl_<site>_<board>`), built once per board by its module.

Each crawl writes one file into `$DAG_DATA_DIR/is/output/` and reports its statistics (requests,
succeeded, failed, posts, embeds by type, duration) as materialization metadata, straight from the
crawler's counters (legacy defect A11-35: they were parsed from log text). Every board asset has
its own pool (`is_crawler_<site>_<board>`, limit 1 by the instance default) and the crawler takes a
lock on the board, so one crawl per board runs at a time while the four boards crawl in parallel.
"""

from typing import Literal

import dagster as dg
from pydantic import Field

from dag_is.defs.resources import IsCrawlResource

BOARDS = ("clien_park", "damoang_free", "fmkorea_best", "ppomppu_hot")
WINDOWS = ("30m", "1h", "3h", "6h", "12h", "24h", "48h")


class BoardCrawlConfig(dg.Config):
    mode: Literal["incremental", "interval"] = Field(
        default="incremental",
        description="incremental: posts new since the last run; interval: every post newer than `window`.",
    )
    window: str = Field(default="1h", description=f"Interval mode: one of {', '.join(WINDOWS)}.")
    max_pages: int = Field(default=3, ge=1, description="Incremental: list pages walked at most.")
    max_requests: int = Field(default=30, ge=1, description="Incremental: requests per crawl at most.")
    interval_max_pages: int = Field(
        default=100, ge=1, description="Interval: list pages walked at most (a guard, not a target)."
    )


def crawl_metadata(result, board: str) -> dict:
    stats = result.stats
    return {
        "dagster/row_count": dg.MetadataValue.int(stats["posts"]),
        "file": dg.MetadataValue.path(str(result.path)),
        "source": result.source,
        "requests": stats["requests"],
        "succeeded": stats["succeeded"],
        "failed": stats["failed"],
        "retries": stats["retries"],
        "list_pages": stats["list_pages"],
        "posts": stats["posts"],
        "failed_posts": stats["failed_posts"],
        "deleted_posts": stats["deleted_posts"],
        "comments": stats["comments"],
        "embeds_by_type": dg.MetadataValue.json(stats["embeds_by_type"]),
        "oembed_requests": stats.get("oembed_requests", 0),
        "duration_seconds": dg.MetadataValue.float(float(stats["duration_seconds"])),
        "failures": dg.MetadataValue.md("\n".join(f"- {line}" for line in result.failures[:50]) or "none"),
    }


def board_crawl_asset(board: str) -> dg.AssetsDefinition:
    site, _, board_name = board.partition("_")

    @dg.asset(
        name=f"is_crawl_{board}",
        group_name="IS",
        kinds={"python", "json"},
        tags={"data_tier": "bronze", "domain": "community", "source": site},
        pool=f"is_crawler_{board}",
        retry_policy=dg.RetryPolicy(max_retries=2, delay=30, backoff=dg.Backoff.EXPONENTIAL),
        description=f"{site}/{board_name} 게시판 크롤링: 목록·상세·댓글을 가져와 크롤 파일 하나를 "
        "$DAG_DATA_DIR/is/output 에 씁니다 (incremental: 새 글만, interval: 기간 내 모든 글).",
    )
    def crawl_board(
        context: dg.AssetExecutionContext, config: BoardCrawlConfig, is_crawl: IsCrawlResource
    ) -> dg.MaterializeResult:
        from dag_shared.crawler.crawl import CrawlError, CrawlMode
        from dag_shared.crawler.runner import BoardBusyError, run_board_crawl
        from dag_shared.crawler.sites import sample_dir, site_rules

        from dag_is.lib.outputs import output_dir, state_dir

        settings = is_crawl.settings()
        if config.mode == "interval":
            if config.window not in WINDOWS:
                raise dg.Failure(f"window {config.window!r} is not one of {WINDOWS}", allow_retries=False)
            mode = CrawlMode.interval(config.window, max_pages=config.interval_max_pages)
        else:
            mode = CrawlMode.incremental(config.max_pages, config.max_requests)
        try:
            result = run_board_crawl(
                site_rules(board),
                mode,
                output_dir=output_dir(),
                state_dir=state_dir(),
                source=settings.source,
                sample_dir=sample_dir(board),
                min_interval=settings.min_interval_seconds,
                chromium_path=settings.chromium_path,
            )
        except BoardBusyError as error:
            raise dg.Failure(str(error), allow_retries=False) from None
        except CrawlError as error:
            raise dg.Failure(str(error)) from error
        for failure in result.failures:
            context.log.warning(failure)
        context.log.info(f"{board}: {result.stats['posts']} posts → {result.path}")
        return dg.MaterializeResult(metadata=crawl_metadata(result, board))

    return crawl_board
