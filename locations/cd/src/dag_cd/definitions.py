"""Definitions of the `cd` code location: KRX equities into the Postgres warehouse (group CD),
the Turso mirror (group CD_TURSO) and the month-end history (group CD_HISTORY).

Everything under `dag_cd/defs/` is loaded automatically (assets, the parity check, jobs,
schedules, the sensor, resources and the in-process executor). Heavy libraries (psycopg, libsql,
duckdb, pandas, pykrx, exchange-calendars) are imported inside the steps, so this loads quickly.
"""

from dag_shared.location_defs import load_location_defs

from dag_cd.defs.freshness_policies import freshness_policy

# The defs/ folder, instrumented, with the location's freshness policies (dag_shared.location_defs).
defs = load_location_defs(__file__, freshness_policy=freshness_policy)
