"""The daily CD graph, defined once (`steps.py`) and built for two sinks (`assets.py`): Postgres
(group CD) and the Turso mirror (group CD_TURSO, names ending in `_turso`)."""
