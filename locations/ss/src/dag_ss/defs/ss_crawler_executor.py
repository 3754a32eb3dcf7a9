"""Bronze asset `ss_crawler_executor`: one interval crawl of the ppomppu 휴대폰포럼 board → one crawl file.

The file lands atomically in the crawl folder, where `ss_crawl_files_sensor` picks it up. With no
SS_CRAWL_BASE_URL the shared framework's local stand-in serves the bundled sample pages.
"""

import dagster as dg

from dag_ss.defs.common import tags
from dag_ss.defs.resources import SsSettingsResource


@dg.asset(
    group_name="SS",
    kinds={"python", "json"},
    tags=tags("bronze"),
    retry_policy=dg.RetryPolicy(max_retries=2, delay=60),
    description="뽐뿌 휴대폰포럼을 공용 크롤러 프레임워크로 구간 크롤(기본 48시간)해 크롤 파일 하나를 SS_CRAWL_DIR에 "
    "원자적으로 기록. 공지·광고·비밀글 제외, 두 자리 연도 날짜 처리. SS_CRAWL_BASE_URL이 없으면 로컬 샘플 페이지.",
)
def ss_crawler_executor(
    context: dg.AssetExecutionContext, ss_settings: SsSettingsResource
) -> dg.MaterializeResult:
    from dag_shared.crawler import CrawlError
    from dag_shared.crawler.runner import BoardBusyError

    from dag_ss.lib.crawl import run_phone_crawl

    settings = ss_settings.crawl_settings()
    try:
        result = run_phone_crawl(settings)
    except BoardBusyError as error:
        raise dg.Failure(str(error), allow_retries=False) from None
    except CrawlError as error:
        raise dg.Failure(str(error)) from None
    for failure in result.failures[:20]:
        context.log.warning(failure)
    stats = result.stats
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": int(stats.get("posts", 0)),
            "file_path": str(result.path),
            "source": result.source,
            "window_hours": settings.hours,
            "stats": dg.MetadataValue.json(stats),
            "failures": len(result.failures),
        }
    )
