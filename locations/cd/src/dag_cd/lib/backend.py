"""One storage interface over the two CD sinks, so each pipeline step is written once.

Steps write SQL with `?` bind parameters in the subset that Postgres and SQLite (libsql) share
(UPDATE … FROM, window functions, ON CONFLICT, RETURNING) and call `Tx` methods; the Postgres
adapter turns them into `%s` and bulk inserts into COPY, the libsql adapter turns dates
into `YYYY-MM-DD` text. Where the dialects really differ, `Tx.dialect` picks the variant.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import date, datetime
from typing import Any

from dag_cd.lib.results import PREVIEW_ROWS, Preview, table_summary
from dag_cd.lib.schema import TABLES, columns_of, ddl, quote

POSTGRES, SQLITE = "postgres", "sqlite"
_SCHEMA_LOCK = 0x0CD5C4E3A  # advisory lock key of the CD schema creation
# The three exchange runs may write the libsql file at once: wait for the lock instead of failing.
_SQLITE_BUSY_TIMEOUT_MS = 60_000


class Tx(ABC):
    """An open transaction on one sink."""

    dialect: str

    @abstractmethod
    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one statement; returns the number of rows it touched."""
        ...

    @abstractmethod
    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]: ...

    @abstractmethod
    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None: ...

    @abstractmethod
    def insert_rows(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int: ...

    def cast_metric(self, param: str = "?") -> str:
        return param

    def ensure_schema(self) -> None:
        for statement in ddl(self.dialect):
            self.execute(statement)

    def metadata(self, table: str, where: str = "", params: Sequence[Any] = (), order_by: str = "") -> dict:
        """Row count, head-and-tail preview and column schema of (part of) a warehouse table."""
        spec = TABLES[table]
        columns = ", ".join(map(quote, spec.column_names))
        clause = f" WHERE {where}" if where else ""
        order = f" ORDER BY {order_by or ', '.join(map(quote, spec.key))}"
        count = self.query(f"SELECT count(*) FROM {table}{clause}", params)[0][0]
        head = self.query(f"SELECT {columns} FROM {table}{clause}{order} LIMIT {PREVIEW_ROWS}", params)
        tail_n = min(PREVIEW_ROWS, max(count - len(head), 0))
        tail = (
            self.query(
                f"SELECT {columns} FROM {table}{clause}{order} LIMIT {tail_n} OFFSET {count - tail_n}", params
            )
            if tail_n
            else []
        )
        return table_summary(Preview(spec.column_names, head, tail, count), columns_of(table))


def _pg_sql(sql: str) -> str:
    return sql.replace("%", "%%").replace("?", "%s")


class PostgresTx(Tx):
    dialect = POSTGRES

    def __init__(self, conn) -> None:
        self.conn = conn

    def execute(self, sql, params=()):
        cur = self.conn.execute(_pg_sql(sql), params or None)
        return cur.rowcount

    def query(self, sql, params=()):
        return self.conn.execute(_pg_sql(sql), params or None).fetchall()

    def executemany(self, sql, rows):
        rows = list(rows)
        if rows:
            with self.conn.cursor() as cur:
                cur.executemany(_pg_sql(sql), rows)

    def insert_rows(self, table, columns, rows):
        from dag_shared.resources.postgres import copy_rows

        return copy_rows(self.conn, table, columns, rows)

    def cast_metric(self, param="?"):
        return f"CAST({param} AS metric_type)"

    def ensure_schema(self) -> None:
        """Tables exist: nothing to do; else create them under a lock, as the three exchange runs
        of a first day may start together and concurrent CREATEs of one table collide."""
        existing = self.query(
            "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() AND tablename = ANY(?)",
            (list(TABLES),),
        )[0][0]
        if existing == len(TABLES):
            return
        self.execute("SELECT pg_advisory_xact_lock(?)", (_SCHEMA_LOCK,))
        super().ensure_schema()


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _sqlite_params(params: Sequence[Any]) -> tuple:
    return tuple(_sqlite_value(v) for v in params)


class SqliteTx(Tx):
    dialect = SQLITE

    def __init__(self, conn) -> None:
        self.conn = conn

    def execute(self, sql, params=()):
        cur = self.conn.execute(sql, _sqlite_params(params))
        return cur.rowcount

    def query(self, sql, params=()):
        return self.conn.execute(sql, _sqlite_params(params)).fetchall()

    def executemany(self, sql, rows):
        rows = [_sqlite_params(r) for r in rows]
        if rows:
            self.conn.executemany(sql, rows)

    def insert_rows(self, table, columns, rows):
        rows = [_sqlite_params(r) for r in rows]
        if rows:
            marks = ", ".join("?" * len(columns))
            self.conn.executemany(
                f"INSERT INTO {table} ({', '.join(map(quote, columns))}) VALUES ({marks})", rows
            )
        return len(rows)


class Backend(ABC):
    """A sink the CD steps write to: `transaction()` yields a `Tx`; all of it lands or none."""

    dialect: str
    label: str

    @abstractmethod
    def transaction(self) -> AbstractContextManager[Tx]: ...

    def after_write(self, log: Any = None) -> None:
        """Called after a step committed (the Turso mirror pushes its replica here)."""

    def before_read(self, log: Any = None) -> None:
        """Called before a step reads (the Turso mirror pulls its replica here)."""


class PostgresBackend(Backend):
    dialect, label = POSTGRES, "Postgres"

    def __init__(self, resource) -> None:
        self.resource = resource

    @contextmanager
    def transaction(self):
        with self.resource.transaction() as conn:
            yield PostgresTx(conn)


class TursoBackend(Backend):
    dialect, label = SQLITE, "Turso"

    def __init__(self, resource) -> None:
        self.resource = resource

    @contextmanager
    def transaction(self):
        with self.resource.connection() as conn:  # commits on success, rolls back on error
            conn.execute(f"PRAGMA busy_timeout = {_SQLITE_BUSY_TIMEOUT_MS}")
            conn.execute("BEGIN IMMEDIATE")
            yield SqliteTx(conn)

    def after_write(self, log=None):
        self.resource.sync(log)

    def before_read(self, log=None):
        self.resource.sync(log)
