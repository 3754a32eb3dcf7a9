"""Definitions of the `ss` code location: everything under `dag_ss.defs`, loaded automatically.

The phone-deal pipeline: `ss_crawler_executor` crawls the ppomppu 휴대폰포럼 board into a crawl
file, `ss_crawl_files_sensor` makes each file a partition of `ss_crawl_files` and runs
`ss_ingest_job` (raw → normalized → rules → LLM → deals → daily aggregates) on it; the product
dictionary (group SS_Dictionary) is set up by `ss_setup_job`. Dagster definitions are in `defs/`
(one module per asset, named after it), domain code without dagster in `lib/`. See docs/ss.md.
"""

from dag_shared.location_defs import load_location_defs

# The defs/ folder, instrumented (dag_shared.location_defs).
defs = load_location_defs(__file__)
