"""The CD domain code: KRX parsing, the warehouse schema, the two sinks, the pipeline steps and
their guards. Nothing here imports dagster or `dag_cd.defs`; heavy libraries (psycopg, libsql,
duckdb, pandas, pykrx, exchange-calendars) are imported inside the functions that use them.
`dag_cd.defs` turns these functions into assets."""
