"""Definitions of the `nps` code location: National Pension Service workplaces.

Monthly file → bronze landing (`nps_his_download`, re-checked by `nps_file_integrity_check`) →
silver DuckDB (`nps_his_digest`) → Postgres `pension` (`nps_his_postgres_append`) → name functions
and indexes (`nps_pension_staging_indexes`) → the SaaS/KYC company layer (group NPS_SaaS).

Every definition lives in `defs/` (one module per asset, named after it, with its checks; jobs,
schedules and resources beside them) and is loaded from there; the domain code is in `lib/`.
Heavy libraries load inside asset bodies, so this import stays cheap. `defs` is what the code
server (`-m dag_nps.definitions`), `dg`, the tests and the conventions report use.
"""

import gc
from pathlib import Path

import dagster as dg
from dag_shared.freshness import with_freshness_policies
from dag_shared.instrumentation import instrument

from dag_nps.defs.freshness_policies import freshness_policy

# What the imports made lives as long as the process: frozen, the full collections that building
# the definitions triggers no longer walk it (about 40 ms of every load and reload).
gc.freeze()
# Row count, execution time, peak memory and PII audit on every materialization (dag_shared.instrumentation).
defs = instrument(dg.load_from_defs_folder(path_within_project=Path(__file__).parent))
# When the location's assets count as late: defs/freshness_policies.py, one mapping (dag_shared.freshness).
defs = with_freshness_policies(defs, freshness_policy)
