"""Definitions of the `ss` code location: everything under `dag_ss.defs`, loaded automatically.

The phone-deal pipeline: `ss_crawler_executor` crawls the ppomppu 휴대폰포럼 board into a crawl
file, `ss_crawl_files_sensor` makes each file a partition of `ss_crawl_files` and runs
`ss_ingest_job` (raw → normalized → rules → LLM → deals → daily aggregates) on it; the product
dictionary (group SS_Dictionary) is set up by `ss_setup_job`. Dagster definitions are in `defs/`
(one module per asset, named after it), domain code without dagster in `lib/`. See docs/ss.md.
"""

import gc
from pathlib import Path

import dagster as dg
from dag_shared.instrumentation import instrument

# What the imports made lives as long as the process: frozen, the full collections that building
# the definitions triggers no longer walk it (about 40 ms of every load and reload).
gc.freeze()
# Row count, execution time, peak memory and PII audit on every materialization (dag_shared.instrumentation).
defs = instrument(dg.load_from_defs_folder(path_within_project=Path(__file__).parent))
