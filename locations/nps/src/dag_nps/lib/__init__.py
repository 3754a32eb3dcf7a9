"""Domain code of the `nps` location: parsing, validation, landing, silver, warehouse and matching.

Nothing here imports dagster or `dag_nps.defs`; heavy libraries (numba, polars, pyarrow, duckdb,
psycopg, httpx) are imported inside the functions that use them, so the definitions load cheaply.
"""
