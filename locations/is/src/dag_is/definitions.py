"""Definitions of the `is` location: everything under `dag_is.defs`, loaded automatically.

Ported so far (issue 11, IS part 1): the four board crawls (`is_crawl_<site>_<board>`), the sensor
`is_output_data_sensor`, the ingest of one crawl file into the silver tables (`is_posts` …
`is_post_signatures`), snapshot retention, and the jobs and schedules driving them (docs/is.md).
Dagster definitions live in `defs/` (one module per asset, named after it), domain code without
dagster in `lib/`, the crawler framework and site rules in `dag_shared.crawler`.
"""

import gc
from pathlib import Path

import dagster as dg
from dag_shared.freshness import with_freshness_policies
from dag_shared.instrumentation import instrument

from dag_is.defs.freshness_policies import freshness_policy

# What the imports made lives as long as the process: frozen, the full collections that building
# the definitions triggers no longer walk it (about 40 ms of every load and reload).
gc.freeze()
# Row count, execution time, peak memory and PII audit on every materialization (dag_shared.instrumentation).
defs = instrument(dg.load_from_defs_folder(path_within_project=Path(__file__).parent))
# When the location's assets count as late: defs/freshness_policies.py, one mapping (dag_shared.freshness).
defs = with_freshness_policies(defs, freshness_policy)
