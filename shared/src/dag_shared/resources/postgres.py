"""Postgres warehouse resource: psycopg 3 with a connection pool, transactions and COPY.

One resource per location (`nps_postgres`, `cd_postgres`, ...), configured by a URL from the
environment. Loads go through `transaction()` so a failure leaves the previous state, and bulk
data goes through COPY rather than INSERT.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import dagster as dg
from pydantic import Field, PrivateAttr

if TYPE_CHECKING:
    import polars as pl
    import psycopg

COPY_NULL = "\\N"
_POLARS_COPY_CHUNK_ROWS = 200_000


def qualified_identifier(name: str):
    """`schema.table` or `table` as a safely quoted psycopg SQL identifier."""
    from psycopg import sql

    return sql.Identifier(*name.split("."))


class PostgresResource(dg.ConfigurableResource):
    """A pooled psycopg 3 connection to one Postgres database."""

    url: str = Field(description="libpq URL or conninfo string of the database.")
    pool_min_size: int = Field(default=1, description="Connections kept open in the pool.")
    pool_max_size: int = Field(default=4, description="Upper bound of pooled connections.")
    application_name: str = Field(default="dag", description="Shown in pg_stat_activity.")

    _pool: Any = PrivateAttr(default=None)

    def _connection_pool(self):
        if self._pool is None:
            from psycopg_pool import ConnectionPool

            self._pool = ConnectionPool(
                self.url,
                min_size=self.pool_min_size,
                max_size=self.pool_max_size,
                kwargs={"application_name": self.application_name},
                open=True,
            )
        return self._pool

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        self.close()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool = None

    @contextmanager
    def connection(self) -> Iterator[psycopg.Connection]:
        """A pooled connection; committed on success, rolled back on error."""
        with self._connection_pool().connection() as conn:
            yield conn

    @contextmanager
    def transaction(self) -> Iterator[psycopg.Connection]:
        """A connection inside one transaction: everything in the block lands, or nothing."""
        with self.connection() as conn, conn.transaction():
            yield conn

    def execute(self, statement, params: Sequence[Any] | dict | None = None) -> None:
        """Run one statement in its own transaction (DDL, small updates)."""
        with self.transaction() as conn:
            conn.execute(statement, params)

    def fetch_all(self, query, params: Sequence[Any] | dict | None = None) -> list[tuple]:
        with self.connection() as conn:
            return conn.execute(query, params).fetchall()


def copy_rows(
    conn: psycopg.Connection, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    """COPY Python rows into `table`; returns the number of rows written."""
    from psycopg import sql

    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        qualified_identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    count = 0
    with conn.cursor() as cur, cur.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def copy_csv_chunks(
    conn: psycopg.Connection, table: str, columns: Sequence[str], chunks: Iterable[bytes]
) -> int:
    """COPY CSV bytes (no header, NULL written as \\N) into `table`; returns the rows COPY loaded."""
    from psycopg import sql

    statement = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT csv, NULL {})").format(
        qualified_identifier(table),
        sql.SQL(", ").join(map(sql.Identifier, columns)),
        sql.Literal(COPY_NULL),
    )
    with conn.cursor() as cur:
        with cur.copy(statement) as copy:
            for chunk in chunks:
                copy.write(chunk)
        return cur.rowcount


def copy_polars(conn: psycopg.Connection, table: str, frame: pl.DataFrame) -> int:
    """COPY a polars DataFrame into `table`, streaming it in CSV chunks of bounded size."""

    def chunks() -> Iterator[bytes]:
        for start in range(0, frame.height, _POLARS_COPY_CHUNK_ROWS):
            buffer = io.BytesIO()
            frame.slice(start, _POLARS_COPY_CHUNK_ROWS).write_csv(
                buffer, include_header=False, null_value=COPY_NULL
            )
            yield buffer.getvalue()

    copy_csv_chunks(conn, table, frame.columns, chunks())
    return frame.height


def postgres_resource(location: str) -> PostgresResource:
    """The warehouse resource of one location, configured from `<LOCATION>_POSTGRES_URL`.

    The URL is resolved when a run starts (EnvVar), so definitions load without a database.
    """
    variable = f"{location.upper()}_POSTGRES_URL"
    return PostgresResource(url=dg.EnvVar(variable), application_name=f"dag-{location}")
