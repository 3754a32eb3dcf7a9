"""DuckDB resource for the silver layer: one database file per location in the data directory.

The platform's one DuckDB resource. It has dagster-duckdb's interface (`database`,
`connection_config`, `get_connection()`), but imports duckdb when a connection opens, not when
definitions load: `dagster_duckdb` imports duckdb at module level, which would cost every code
location that import at load time. Annotate assets with this class, not dagster-duckdb's.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import dagster as dg
from pydantic import Field

from dag_shared.settings import data_dir

if TYPE_CHECKING:
    import duckdb

# Another process holding the file's write lock is retried this often (with backoff) before failing.
CONNECT_RETRIES = 10


class DuckDBResource(dg.ConfigurableResource):
    """A DuckDB database file; a connection per `get_connection()` block, closed at its end."""

    database: str = Field(
        default="",
        description="Path of the DuckDB file (':memory:' for an in-memory database); empty: the file of `location`.",
    )
    location: str = Field(
        default="",
        description="With `database` empty: `$DAG_DATA_DIR/duckdb/<location>.duckdb`, resolved when a "
        "connection opens (so DAG_DATA_DIR is read at run time, not when definitions load).",
    )
    connection_config: dict[str, Any] = Field(
        default={}, description="DuckDB settings for each connection (https://duckdb.org/docs/configuration)."
    )

    @contextmanager
    def get_connection(self) -> Iterator[duckdb.DuckDBPyConnection]:
        import duckdb
        from dagster._utils.backoff import backoff

        conn = backoff(
            fn=duckdb.connect,
            retry_on=(RuntimeError, duckdb.IOException),
            kwargs={
                "database": self.path(),
                "read_only": False,
                "config": {"custom_user_agent": "dagster", **self.connection_config},
            },
            max_retries=CONNECT_RETRIES,
        )
        try:
            yield conn
        finally:
            conn.close()

    def path(self) -> str:
        """The database this resource opens: `database`, else the location's file (folder created)."""
        if self.database:
            return self.database
        if not self.location:
            raise ValueError("DuckDBResource needs a database path or a location")
        (data_dir() / "duckdb").mkdir(parents=True, exist_ok=True)
        return duckdb_path(self.location)


def duckdb_path(location: str) -> str:
    return str(data_dir() / "duckdb" / f"{location}.duckdb")


def duckdb_resource(location: str) -> DuckDBResource:
    """`<location>_duckdb`: the location's own DuckDB file under `$DAG_DATA_DIR/duckdb/`, the path fixed now.

    `DuckDBResource(location=...)` is the same file with DAG_DATA_DIR read when a connection opens.
    """
    path = data_dir() / "duckdb"
    path.mkdir(parents=True, exist_ok=True)
    return DuckDBResource(database=duckdb_path(location))
