"""Jobs of the `ss` location: the per-crawl-file ingest (legacy name kept) and the warehouse setup."""

from __future__ import annotations

import dagster as dg

from dag_ss.defs.partitions import SS_CRAWL_FILES

ss_ingest_job = dg.define_asset_job(
    "ss_ingest_job",
    selection=dg.AssetSelection.assets("ss_raw_posts").downstream(),
    partitions_def=SS_CRAWL_FILES,
    description="SS 크롤러 ssdata 적재 전체 파이프라인: one crawl file from raw posts to deals and daily aggregates.",
    tags={"source": "SS", "type": "ingest", "dagster/priority": "3"},
)

ss_setup_job = dg.define_asset_job(
    "ss_setup_job",
    selection=dg.AssetSelection.assets(
        "ss_bootstrap_schema", "ss_bootstrap_dictionary_schema", "ss_seed_dictionary_data"
    ),
    description="Create the SS tables and views and seed the product dictionary (idempotent, never drops).",
    tags={"source": "SS", "type": "setup"},
)

ss_crawl_job = dg.define_asset_job(
    "ss_crawl_job",
    selection=dg.AssetSelection.assets("ss_crawler_executor"),
    description="One interval crawl of the ppomppu 휴대폰포럼 board (the sensor ingests the file it writes).",
    tags={"source": "SS", "type": "crawl"},
)
