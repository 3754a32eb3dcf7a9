"""Definitions of the `nps` code location: National Pension Service workplaces.

Monthly file → bronze landing (`nps_his_download`, re-checked by `nps_file_integrity_check`) →
silver DuckDB (`nps_his_digest`) → Postgres `pension` (`nps_his_postgres_append`) → name functions
and indexes (`nps_pension_staging_indexes`) → the SaaS/KYC company layer (group NPS_SaaS).

Every definition lives in `defs/` (one module per asset, named after it, with its checks; jobs,
schedules and resources beside them) and is loaded from there; the domain code is in `lib/`.
Heavy libraries load inside asset bodies, so this import stays cheap. `defs` is what the code
server (`-m dag_nps.definitions`), `dg`, the tests and the conventions report use.
"""

from dag_shared.location_defs import load_location_defs

from dag_nps.defs.freshness_policies import freshness_policy

# The defs/ folder, instrumented, with the location's freshness policies (dag_shared.location_defs).
defs = load_location_defs(__file__, freshness_policy=freshness_policy)
