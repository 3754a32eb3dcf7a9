"""The CD location's Dagster definitions, loaded by `dg.load_from_defs_folder` (definitions.py).

Every module here holds definitions only, named so an asset's file is found from its name:
`cd_daily/` (the daily graph, both sinks, one step table), `cd_history_assets.py`, the check
`cd_turso_matches_postgres.py`, `jobs.py`, `schedules.py`, `sensors.py` and `resources.py`. The
work itself is in `dag_cd.lib`.
"""
