"""Definitions of the `is` location: everything under `dag_is.defs`, loaded automatically.

Ported so far (issue 11, IS part 1): the four board crawls (`is_crawl_<site>_<board>`), the sensor
`is_output_data_sensor`, the ingest of one crawl file into the silver tables (`is_posts` …
`is_post_signatures`), snapshot retention, and the jobs and schedules driving them (docs/is.md).
Dagster definitions live in `defs/` (one module per asset, named after it), domain code without
dagster in `lib/`, the crawler framework and site rules in `dag_shared.crawler`.
"""

from dag_shared.location_defs import load_location_defs

from dag_is.defs.freshness_policies import freshness_policy

# The defs/ folder, instrumented, with the location's freshness policies (dag_shared.location_defs).
defs = load_location_defs(__file__, freshness_policy=freshness_policy)
