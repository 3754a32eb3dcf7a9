"""Jobs of the `is` location (legacy names kept, spec A10.1).

- `is_ingest_job`: the eight ingest assets of one crawl file, launched by `is_output_data_sensor`.
  It stops at the silver tables (legacy defect A11-8: it re-ran every gold asset per file).
- `is_crawler_job_10min`: the four board crawls in incremental mode, in parallel (one step each).
- `is_crawler_parallel_job`: the four board crawls in interval mode; the window comes from
  `is_crawler_executor_interval_schedule`'s run config.
- `is_snapshot_retention_job`: deletes snapshots past the retention.
"""

import dagster as dg

from dag_is.defs.board_crawl import BOARDS
from dag_is.defs.is_posts import INGEST_ASSETS

CRAWL_ASSETS = [f"is_crawl_{board}" for board in BOARDS]

is_ingest_job = dg.define_asset_job(
    "is_ingest_job",
    selection=dg.AssetSelection.assets(*INGEST_ASSETS),
    tags={"source": "IS", "type": "ingest", "dagster/priority": "3"},
    description="IS 크롤러 output 파일 하나를 실버 테이블에 적재합니다 (is_output_data_sensor 가 실행).",
)

is_crawler_job_10min = dg.define_asset_job(
    "is_crawler_job_10min",
    selection=dg.AssetSelection.assets(*CRAWL_ASSETS),
    tags={"type": "schedule", "interval": "10min"},
    description="IS 크롤러를 매 10분마다 실행합니다. 신규 게시글만 크롤링 (게시판별 병렬).",
)

is_crawler_parallel_job = dg.define_asset_job(
    "is_crawler_parallel_job",
    selection=dg.AssetSelection.assets(*CRAWL_ASSETS),
    tags={"type": "schedule", "interval": "30min, 1h, 3h, 6h, 12h, 24h, 48h"},
    description="IS 크롤러 interval 모드: 기간 내 모든 글을 다시 가져와 수치·댓글을 갱신합니다 (게시판별 병렬).",
)

is_snapshot_retention_job = dg.define_asset_job(
    "is_snapshot_retention_job",
    selection=dg.AssetSelection.assets("is_post_snapshots_retention"),
    description="보존 기간이 지난 post_snapshots 행을 삭제합니다.",
)

# Trends, clusters and rotation (issue 12). The gold assets run on their own cadences through the
# automation sensor; this job runs them once, in dependency order, after an ingest.
IS_GOLD_ASSETS = [
    "is_post_trends",
    "is_refresh_mv_post_trends_30m",
    "is_refresh_mv_post_trends_agg",
    "is_keyword_trends",
    "is_clusters_build",
    "is_clusters_merge",
    "is_cluster_trends",
    "is_cluster_rotation",
]

is_trends_clusters_job = dg.define_asset_job(
    "is_trends_clusters_job",
    selection=dg.AssetSelection.assets(*IS_GOLD_ASSETS),
    tags={"source": "IS", "type": "gold"},
    description="게시글 추세, MV 새로 고침, 키워드 추세, 클러스터 생성·병합, 클러스터 추세, 순환을 한 번 실행합니다.",
)

is_trends_retention_job = dg.define_asset_job(
    "is_trends_retention_job",
    selection=dg.AssetSelection.assets("is_trends_retention"),
    description="보존 기간이 지난 post_trends, keyword_trends, cluster_trends 행을 삭제합니다.",
)

# The enrichment chain (issue 12), in dependency order: front-page promotion, text-only jobs, the
# image worker, the rollup, the upgrade to image jobs, the fusion worker. Each asset also runs on
# its own cadence through the automation sensor; this job runs the chain once (e.g. after an ingest).
IS_ENRICHMENT_ASSETS = [
    "is_promote_p0_from_frontpage",
    "is_text_only_enqueue",
    "is_vlm_worker",
    "is_image_rollup",
    "is_upgrade_to_image_llm",
    "is_fusion_worker",
]

is_enrichment_job = dg.define_asset_job(
    "is_enrichment_job",
    selection=dg.AssetSelection.assets(*IS_ENRICHMENT_ASSETS),
    tags={"source": "IS", "type": "enrichment"},
    description="P0 승격, 텍스트 전용 작업 등록, VLM(이미지), 이미지 롤업, 이미지 작업 승격, LLM 분류를 한 번 실행합니다.",
)
