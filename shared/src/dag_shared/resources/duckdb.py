"""DuckDB resource for the silver layer: one database file per location in the data directory."""

from __future__ import annotations

from dagster_duckdb import DuckDBResource

from dag_shared.settings import data_dir


def duckdb_path(location: str) -> str:
    return str(data_dir() / "duckdb" / f"{location}.duckdb")


def duckdb_resource(location: str) -> DuckDBResource:
    """`<location>_duckdb`: the location's own DuckDB file under `$DAG_DATA_DIR/duckdb/`."""
    path = data_dir() / "duckdb"
    path.mkdir(parents=True, exist_ok=True)
    return DuckDBResource(database=duckdb_path(location))
