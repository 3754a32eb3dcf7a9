"""Month-end history (group CD_HISTORY): KRX prices, market caps and fundamentals on the last
trading day of every month over CD_HISTORY_YEARS years (KONEX from 2013-07-01), staged in DuckDB
and loaded into the Postgres warehouse with COPY.

Resumable: each (date, market) answer lands in DuckDB together with its row in the fetch log, so
an interrupted backfill continues with what it lacks. The load replaces every staged
(date, exchange) in Postgres in one transaction (one set-based DELETE, then COPY), and the link to
securities is one set-based UPDATE.
"""

import dataclasses
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

import dagster as dg
from dag_shared.metadata import column_schema, table_metadata
from dag_shared.settings import data_dir, env
from pydantic import Field

from dag_cd.cd_calendar import KONEX_START
from dag_cd.cd_krx import EXCHANGES
from dag_cd.cd_schema import column_schema_of, quote
from dag_cd.cd_steps_facts import FACTS, Fact, validate_frame

_COPY_CHUNK_BYTES = 8 << 20
# fact -> (fetch asset, digest asset, sync asset, DuckDB staging table)
HISTORY = {
    "price": ("cd_historical_prices", "cd_digest_historical_prices", "cd_sync_historical_price_to_security",
              "historical_prices"),
    "marketcap": ("cd_historical_marketcaps", "cd_digest_historical_marketcaps",
                  "cd_sync_historical_marketcap_to_security", "historical_marketcaps"),
    "bppedd": ("cd_historical_bppedds", "cd_digest_historical_bppedds", "cd_sync_historical_bppedd_to_security",
               "historical_bppedds"),
}
_DUCK_TYPES = {"rate": "DOUBLE", "per": "DOUBLE", "pbr": "DOUBLE", "div": "DOUBLE"}


class CdHistoryConfig(dg.Config):
    years: int | None = Field(default=None, description="Calendar years before last_day's year; "
                              "unset = CD_HISTORY_YEARS (21).")
    last_day: str = Field(default="", description="Last day covered (YYYY-MM-DD); empty = yesterday.")


class HistoryDuckDBResource(dg.ConfigurableResource):
    """A DuckDB file; duckdb is imported on first connection (dagster-duckdb imports it at load)."""

    database: str = Field(description="Path of the DuckDB file.")

    @contextmanager
    def get_connection(self) -> Iterator:
        import duckdb

        Path(self.database).parent.mkdir(parents=True, exist_ok=True)
        conn = duckdb.connect(self.database)
        try:
            yield conn
        finally:
            conn.close()


def history_duckdb() -> HistoryDuckDBResource:
    """The history's own DuckDB file, so no other CD job holds its single writer lock."""
    return HistoryDuckDBResource(database=str(data_dir() / "duckdb" / "cd_history.duckdb"))


def history_targets(config: CdHistoryConfig, fact: Fact) -> list[tuple[date, str]]:
    from dag_cd.cd_calendar import month_end_sessions

    last_day = date.fromisoformat(config.last_day) if config.last_day else date.today() - timedelta(days=1)
    years = config.years if config.years is not None else int(env("CD_HISTORY_YEARS") or "21")
    days = month_end_sessions(last_day.year - years, last_day)
    return [(day, market) for day in days for market in EXCHANGES
            if market not in fact.skip_exchanges and not (market == "KONEX" and day < KONEX_START)]


def _staging_ddl(table: str, fact: Fact) -> str:
    values = ", ".join(f"{quote(c)} {_DUCK_TYPES.get(c, 'BIGINT')}" for c in fact.stored)
    return (f"CREATE TABLE IF NOT EXISTS {table} (date DATE, exchange VARCHAR, ticker VARCHAR, {values}, "
            "PRIMARY KEY (date, exchange, ticker))")


def _ensure_staging(conn, table: str, fact: Fact) -> None:
    conn.execute(_staging_ddl(table, fact))
    conn.execute("CREATE TABLE IF NOT EXISTS cd_history_fetch_log (dataset VARCHAR, date DATE, exchange VARCHAR, "
                 "rows BIGINT, zero_rows BIGINT, origin VARCHAR, PRIMARY KEY (dataset, date, exchange))")


def fetch_history(fact_name: str, context, config: CdHistoryConfig, krx, duckdb) -> dg.MaterializeResult:
    """Fetch every month-end (date, market) not yet in DuckDB; each lands with its log row."""
    import pandas as pd

    fact, table = FACTS[fact_name], HISTORY[fact_name][3]
    targets = history_targets(config, fact)
    with duckdb.get_connection() as conn:
        _ensure_staging(conn, table, fact)
        done = {(d, e) for d, e in conn.execute(
            "SELECT date, exchange FROM cd_history_fetch_log WHERE dataset = ?", [fact.dataset]).fetchall()}
        todo = [(d, m) for d, m in targets if (d, m) not in done]
        context.log.info(f"{fact.dataset}: {len(targets)} month-end answers, {len(done)} already staged, "
                         f"{len(todo)} to fetch")
        for day, market in todo:
            frame = krx.fetch(fact.dataset, day, market)
            zero = set(_zero_rows_for_history(fact, frame, day, market))
            positions = [frame.columns.index(c) for c in fact.stored]
            df = pd.DataFrame([(day, market, row[0], *(row[p] for p in positions))
                               for i, row in enumerate(frame.rows) if i not in zero],
                              columns=["date", "exchange", "ticker", *fact.stored])
            conn.execute("BEGIN TRANSACTION")
            conn.execute(f"DELETE FROM {table} WHERE date = ? AND exchange = ?", [day, market])
            if len(df):
                conn.register("fetched", df)
                conn.execute(f"INSERT INTO {table} SELECT * FROM fetched")
                conn.unregister("fetched")
            conn.execute("INSERT INTO cd_history_fetch_log VALUES (?, ?, ?, ?, ?, ?)",
                         [fact.dataset, day, market, len(df), len(zero), frame.origin])
            conn.execute("COMMIT")
        from dag_shared.metadata import duckdb_query_metadata

        metadata = duckdb_query_metadata(conn, f"SELECT * FROM {table} ORDER BY date, exchange, ticker")
        skipped = conn.execute("SELECT coalesce(sum(zero_rows), 0) FROM cd_history_fetch_log WHERE dataset = ?",
                               [fact.dataset]).fetchone()[0]
    metadata["fetched_now"] = dg.MetadataValue.int(len(todo))
    metadata["already_staged"] = dg.MetadataValue.int(len(targets) - len(todo))
    metadata["zero_rows_skipped"] = dg.MetadataValue.int(int(skipped))
    return dg.MaterializeResult(metadata=metadata)


def _zero_rows_for_history(fact: Fact, frame, day: date, market: str) -> list[int]:
    """History keeps what a month-end answer has: an empty or holiday answer fails, rows without
    data (suspended or delisting tickers) are skipped and counted instead of failing the backfill."""
    return validate_frame(dataclasses.replace(fact, zero_rows_fail=False), frame, day, market)


def _file_chunks(path: Path) -> Iterator[bytes]:
    with open(path, "rb") as f:
        while chunk := f.read(_COPY_CHUNK_BYTES):
            yield chunk


def _export_chunks(duck_conn, table: str, select: str, work_dir: Path, chunk_rows: int) -> Iterator[Path]:
    """Export the staging table as CSV files of `chunk_rows` rows, one file ahead of the consumer,
    so DuckDB's export overlaps Postgres's COPY."""
    import queue
    import threading

    total = duck_conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    ready: queue.Queue = queue.Queue(maxsize=1)
    cursor = duck_conn.cursor()  # its own connection to the same database, for the export thread
    # One export thread is ahead of COPY already; more would take CPU from the Postgres backend.
    cursor.execute("SET threads = 1")

    def export() -> None:
        try:
            for start in range(0, total, chunk_rows):
                fd, name = tempfile.mkstemp(suffix=".csv", dir=work_dir)
                os.close(fd)
                cursor.execute(f"COPY (SELECT {select} FROM {table} WHERE rowid >= {start} AND rowid < "
                               f"{start + chunk_rows}) TO '{name}' (FORMAT csv, HEADER false, NULLSTR '\\N')")
                ready.put(Path(name))
            ready.put(None)
        except BaseException as error:  # noqa: BLE001 - handed to the consumer, which raises it
            ready.put(error)

    thread = threading.Thread(target=export, name="cd-history-export", daemon=True)
    thread.start()
    try:
        while (item := ready.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            try:
                yield item
            finally:
                item.unlink(missing_ok=True)
    finally:
        while thread.is_alive():  # drain so the exporter can finish, then drop its files
            item = ready.get()
            if isinstance(item, Path):
                item.unlink(missing_ok=True)
        cursor.close()


def load_staging_into_postgres(fact: Fact, table: str, duck_conn, pg_conn, work_dir: Path,
                               chunk_rows: int = 250_000) -> int:
    """Replace every staged (date, exchange) of the fact table with the staged rows, via COPY."""
    from dag_shared.resources.postgres import copy_csv_chunks, copy_rows
    from psycopg import sql

    stored = ", ".join(map(quote, fact.stored))
    pairs = duck_conn.execute(f"SELECT DISTINCT date, exchange FROM {table} ORDER BY 1, 2").fetchall()
    pg_conn.execute("CREATE TEMP TABLE cd_history_pairs (date date, exchange text) ON COMMIT DROP")
    copy_rows(pg_conn, "cd_history_pairs", ("date", "exchange"), pairs)
    pg_conn.execute(sql.SQL("DELETE FROM {} AS f USING cd_history_pairs AS p WHERE f.date = p.date "
                            "AND f.exchange = p.exchange").format(sql.Identifier(fact.table)))
    select = f"date, exchange, ticker, {stored}, year(date), month(date)"

    def chunks() -> Iterator[bytes]:
        for path in _export_chunks(duck_conn, table, select, work_dir, chunk_rows):
            yield from _file_chunks(path)

    copy_csv_chunks(pg_conn, fact.table, ("date", "exchange", "ticker", *fact.stored, "year", "month"), chunks())
    return duck_conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def digest_history(fact_name: str, context, duckdb, postgres) -> dg.MaterializeResult:
    from dag_cd.cd_backend import PostgresBackend

    fact, table = FACTS[fact_name], HISTORY[fact_name][3]
    backend = PostgresBackend(postgres)
    work_dir = data_dir() / "tmp"
    work_dir.mkdir(parents=True, exist_ok=True)
    with duckdb.get_connection() as duck_conn:
        _ensure_staging(duck_conn, table, fact)
        with backend.transaction() as tx:
            tx.ensure_schema()
            rows = load_staging_into_postgres(fact, table, duck_conn, tx.conn, work_dir)
            metadata = _fact_metadata(tx, fact, table, duck_conn)
    metadata["rows_loaded"] = dg.MetadataValue.int(rows)
    return dg.MaterializeResult(metadata=metadata)


def _fact_metadata(tx, fact: Fact, table: str, duck_conn) -> dict:
    """Metadata of the loaded rows: the staged month-ends in the Postgres table."""
    first_last = duck_conn.execute(f"SELECT min(date), max(date) FROM {table}").fetchone()
    if first_last[0] is None:
        return table_metadata([], [], [], [], 0) | {"dagster/column_schema": column_schema_of(fact.table)}
    return tx.metadata(fact.table, "date >= ? AND date <= ?", first_last)


def sync_history(fact_name: str, context, postgres) -> dg.MaterializeResult:
    """One set-based UPDATE linking every unlinked row of the fact table to its security."""
    from dag_cd.cd_backend import PostgresBackend

    fact = FACTS[fact_name]
    with PostgresBackend(postgres).transaction() as tx:
        tx.ensure_schema()
        linked = tx.execute(
            f"UPDATE {fact.table} SET security_id = s.security_id, name = s.name, kor_name = s.kor_name "
            f"FROM security AS s WHERE {fact.table}.security_id IS NULL AND s.ticker = {fact.table}.ticker "
            f"AND s.exchange = {fact.table}.exchange")
        metadata = tx.metadata(fact.table, "security_id IS NOT NULL", (), "date DESC, exchange, ticker")
        unlinked = tx.query(f"SELECT count(*) FROM {fact.table} WHERE security_id IS NULL")[0][0]
    metadata["linked_now"] = dg.MetadataValue.int(max(linked, 0))
    metadata["still_unlinked"] = dg.MetadataValue.int(unlinked)
    return dg.MaterializeResult(metadata=metadata)


def _staging_schema(fact: Fact):
    return column_schema(["date", "exchange", "ticker", *fact.stored],
                         ["DATE", "VARCHAR", "VARCHAR", *(_DUCK_TYPES.get(c, "BIGINT") for c in fact.stored)])


def _named(fn, name: str):
    fn.__name__ = fn.__qualname__ = name
    return fn


def _bodies(fact_name: str):
    def fetch(context, config: CdHistoryConfig):
        return fetch_history(fact_name, context, config, context.resources.cd_krx, context.resources.cd_history_duckdb)

    def digest(context):
        return digest_history(fact_name, context, context.resources.cd_history_duckdb, context.resources.cd_postgres)

    def sync(context):
        return sync_history(fact_name, context, context.resources.cd_postgres)

    return fetch, digest, sync


def build_history_assets() -> list[dg.AssetsDefinition]:
    assets = []
    for fact_name, (fetch_name, digest_name, sync_name, table) in HISTORY.items():
        fact = FACTS[fact_name]
        common = {"group_name": "CD_HISTORY"}

        fetch, digest, sync = _bodies(fact_name)
        assets += [
            dg.asset(name=fetch_name, **common, kinds={"source", "duckdb"},
                     tags={"data_tier": "bronze", "domain": "finance", "source": "pykrx"},
                     metadata={"dagster/column_schema": _staging_schema(fact)},
                     required_resource_keys={"cd_krx", "cd_history_duckdb"},
                     description=f"Month-end KRX {fact.dataset} staged in DuckDB `{table}` (resumable).")(
                _named(fetch, fetch_name)),
            dg.asset(name=digest_name, **common, deps=[fetch_name], kinds={"duckdb", "postgres"},
                     tags={"data_tier": "silver", "domain": "finance", "source": "computed"},
                     metadata={"dagster/column_schema": column_schema_of(fact.table)},
                     required_resource_keys={"cd_history_duckdb", "cd_postgres"},
                     description=f"DuckDB `{table}` → Postgres `{fact.table}` with COPY, replacing those dates.")(
                _named(digest, digest_name)),
            dg.asset(name=sync_name, **common, deps=[digest_name], kinds={"python", "postgres"},
                     tags={"data_tier": "gold", "domain": "finance", "source": "computed"},
                     metadata={"dagster/column_schema": column_schema_of(fact.table)},
                     required_resource_keys={"cd_postgres"},
                     description=f"Links history rows of `{fact.table}` to securities in one UPDATE.")(
                _named(sync, sync_name)),
        ]
    return assets


cd_history_job = dg.define_asset_job(
    "cd_history_job",
    selection=dg.AssetSelection.groups("CD_HISTORY"),
    tags={"type": "history"},
    description="과거 데이터 한번에 가지고 오기: month-end history into DuckDB, then Postgres.",
)
