"""Definitions of the `cd` code location: KRX equities into the Postgres warehouse (group CD),
the Turso mirror (group CD_TURSO) and the month-end history (group CD_HISTORY).

Everything under `dag_cd/defs/` is loaded automatically (assets, the parity check, jobs,
schedules, the sensor, resources and the in-process executor). Heavy libraries (psycopg, libsql,
duckdb, pandas, pykrx, exchange-calendars) are imported inside the steps, so this loads quickly.
"""

import gc
from pathlib import Path

import dagster as dg
from dag_shared.freshness import with_freshness_policies
from dag_shared.instrumentation import instrument

from dag_cd.defs.freshness_policies import freshness_policy

# What the imports made lives as long as the process: frozen, the full collections that building
# the definitions triggers no longer walk it (about 40 ms of every load and reload).
gc.freeze()
# Row count, execution time, peak memory and PII audit on every materialization (dag_shared.instrumentation).
defs = instrument(dg.load_from_defs_folder(path_within_project=Path(__file__).parent))
# When the location's assets count as late: defs/freshness_policies.py, one mapping (dag_shared.freshness).
defs = with_freshness_policies(defs, freshness_policy)
