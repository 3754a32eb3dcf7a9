"""Month-end history: KRX prices, market caps and fundamentals on the last trading day of every
month over CD_HISTORY_YEARS years (KONEX from 2013-07-01), staged in DuckDB and loaded into the
Postgres warehouse with COPY. The assets are `dag_cd.defs.cd_history_assets`.

Resumable: each (date, market) answer lands in DuckDB together with its row in the fetch log, so
an interrupted backfill continues with what it lacks. The load replaces every staged
(date, exchange) in Postgres in one transaction (one set-based DELETE, then COPY of CSV files
that DuckDB exports one file ahead of the COPY), and the link to securities is one set-based UPDATE.
"""

from __future__ import annotations

import dataclasses
import os
import tempfile
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from dag_shared.prefetch import prefetched
from dag_shared.settings import env

from dag_cd.lib.backend import Tx
from dag_cd.lib.facts import Fact, validate_frame
from dag_cd.lib.krx import EXCHANGES, KrxSource
from dag_cd.lib.results import ColumnSchema, Preview, table_summary
from dag_cd.lib.schema import columns_of, quote
from dag_cd.lib.trading_calendar import KONEX_START

_COPY_CHUNK_BYTES = 8 << 20
DEFAULT_YEARS = 21
FETCH_LOG = "cd_history_fetch_log"
# fact -> DuckDB staging table
STAGING = {"price": "historical_prices", "marketcap": "historical_marketcaps", "bppedd": "historical_bppedds"}
_DUCK_TYPES = {"rate": "DOUBLE", "per": "DOUBLE", "pbr": "DOUBLE", "div": "DOUBLE"}


def history_targets(config: Any, fact: Fact) -> list[tuple[date, str]]:
    """Every month-end (date, market) to fetch; `config` has `years` (None: CD_HISTORY_YEARS, read
    now) and `last_day` (YYYY-MM-DD; empty: yesterday)."""
    from dag_cd.lib.trading_calendar import month_end_sessions

    last_day = date.fromisoformat(config.last_day) if config.last_day else date.today() - timedelta(days=1)
    years = config.years if config.years is not None else int(env("CD_HISTORY_YEARS") or DEFAULT_YEARS)
    days = month_end_sessions(last_day.year - years, last_day)
    return [
        (day, market)
        for day in days
        for market in EXCHANGES
        if market not in fact.skip_exchanges and not (market == "KONEX" and day < KONEX_START)
    ]


def staging_columns(fact: Fact) -> ColumnSchema:
    return ColumnSchema(
        ("date", "exchange", "ticker", *fact.stored),
        ("DATE", "VARCHAR", "VARCHAR", *(_DUCK_TYPES.get(c, "BIGINT") for c in fact.stored)),
    )


def ensure_staging(conn, table: str, fact: Fact) -> None:
    values = ", ".join(f"{quote(c)} {_DUCK_TYPES.get(c, 'BIGINT')}" for c in fact.stored)
    conn.execute(
        f"CREATE TABLE IF NOT EXISTS {table} (date DATE, exchange VARCHAR, ticker VARCHAR, {values}, "
        "PRIMARY KEY (date, exchange, ticker))"
    )
    conn.execute(
        f"CREATE TABLE IF NOT EXISTS {FETCH_LOG} (dataset VARCHAR, date DATE, exchange VARCHAR, "
        "rows BIGINT, zero_rows BIGINT, origin VARCHAR, PRIMARY KEY (dataset, date, exchange))"
    )


@dataclass(frozen=True)
class Fetched:
    targets: int
    fetched_now: int
    zero_rows_skipped: int  # over everything staged so far


def fetch_month_ends(
    conn, fact: Fact, table: str, targets: list[tuple[date, str]], krx: KrxSource, log: Any
) -> Fetched:
    """Fetch every target (date, market) not yet staged; each lands with its fetch-log row in one
    DuckDB transaction, so an interrupted backfill resumes where it stopped."""
    import pandas as pd

    ensure_staging(conn, table, fact)
    done = {
        (d, e)
        for d, e in conn.execute(
            f"SELECT date, exchange FROM {FETCH_LOG} WHERE dataset = ?", [fact.dataset]
        ).fetchall()
    }
    todo = [(d, m) for d, m in targets if (d, m) not in done]
    log.info(
        f"{fact.dataset}: {len(targets)} month-end answers, {len(done)} already staged, {len(todo)} to fetch"
    )
    for day, market in todo:
        frame = krx.fetch(fact.dataset, day, market)
        zero = set(_zero_rows_for_history(fact, frame, day, market))
        positions = [frame.columns.index(c) for c in fact.stored]
        df = pd.DataFrame(
            [
                (day, market, row[0], *(row[p] for p in positions))
                for i, row in enumerate(frame.rows)
                if i not in zero
            ],
            columns=["date", "exchange", "ticker", *fact.stored],
        )
        conn.execute("BEGIN TRANSACTION")
        conn.execute(f"DELETE FROM {table} WHERE date = ? AND exchange = ?", [day, market])
        if len(df):
            conn.register("fetched", df)
            conn.execute(f"INSERT INTO {table} SELECT * FROM fetched")
            conn.unregister("fetched")
        conn.execute(
            f"INSERT INTO {FETCH_LOG} VALUES (?, ?, ?, ?, ?, ?)",
            [fact.dataset, day, market, len(df), len(zero), frame.origin],
        )
        conn.execute("COMMIT")
    skipped = conn.execute(
        f"SELECT coalesce(sum(zero_rows), 0) FROM {FETCH_LOG} WHERE dataset = ?", [fact.dataset]
    ).fetchone()[0]
    return Fetched(len(targets), len(todo), int(skipped))


def _zero_rows_for_history(fact: Fact, frame, day: date, market: str) -> list[int]:
    """History keeps what a month-end answer has: an empty or holiday answer fails, rows without
    data (suspended or delisting tickers) are skipped and counted instead of failing the backfill."""
    return validate_frame(dataclasses.replace(fact, zero_rows_fail=False), frame, day, market)


def _file_chunks(path: Path) -> Iterator[bytes]:
    with open(path, "rb") as f:
        while chunk := f.read(_COPY_CHUNK_BYTES):
            yield chunk


def _exported_files(
    cursor, table: str, select: str, work_dir: Path, chunk_rows: int, total: int
) -> Iterator[Path]:
    """The staging table as CSV files of `chunk_rows` rows (by rowid), in order."""
    for start in range(0, total, chunk_rows):
        fd, name = tempfile.mkstemp(suffix=".csv", dir=work_dir)
        os.close(fd)
        path = Path(name)
        try:
            cursor.execute(
                f"COPY (SELECT {select} FROM {table} WHERE rowid >= {start} AND rowid < {start + chunk_rows}) "
                f"TO '{name}' (FORMAT csv, HEADER false, NULLSTR '\\N')"
            )
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        yield path


def _export_chunks(duck_conn, table: str, select: str, work_dir: Path, chunk_rows: int) -> Iterator[Path]:
    """The exported CSV files, each deleted once consumed; DuckDB exports the next file in a thread
    (`dag_shared.prefetch`) while Postgres COPYs the current one."""
    total = duck_conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    cursor = duck_conn.cursor()  # its own connection to the same database, for the export thread
    # One export thread is ahead of COPY already; more would take CPU from the Postgres backend.
    cursor.execute("SET threads = 1")
    try:
        files = prefetched(
            lambda: _exported_files(cursor, table, select, work_dir, chunk_rows, total),
            depth=1,
            name="cd-history-export",
            discard=lambda p: p.unlink(missing_ok=True),
        )
        with closing(files):  # the export thread has stopped before its cursor closes
            for path in files:
                try:
                    yield path
                finally:
                    path.unlink(missing_ok=True)
    finally:
        cursor.close()


def load_staging_into_postgres(
    fact: Fact, table: str, duck_conn, pg_conn, work_dir: Path, chunk_rows: int = 250_000
) -> int:
    """Replace every staged (date, exchange) of the fact table with the staged rows, via COPY."""
    from dag_shared.resources.postgres import copy_csv_chunks, copy_rows
    from psycopg import sql

    stored = ", ".join(map(quote, fact.stored))
    pairs = duck_conn.execute(f"SELECT DISTINCT date, exchange FROM {table} ORDER BY 1, 2").fetchall()
    pg_conn.execute("CREATE TEMP TABLE cd_history_pairs (date date, exchange text) ON COMMIT DROP")
    copy_rows(pg_conn, "cd_history_pairs", ("date", "exchange"), pairs)
    pg_conn.execute(
        sql.SQL(
            "DELETE FROM {} AS f USING cd_history_pairs AS p WHERE f.date = p.date AND f.exchange = p.exchange"
        ).format(sql.Identifier(fact.table))
    )
    select = f"date, exchange, ticker, {stored}, year(date), month(date)"

    def chunks() -> Iterator[bytes]:
        for path in _export_chunks(duck_conn, table, select, work_dir, chunk_rows):
            yield from _file_chunks(path)

    copy_csv_chunks(
        pg_conn, fact.table, ("date", "exchange", "ticker", *fact.stored, "year", "month"), chunks()
    )
    return duck_conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def loaded_metadata(tx: Tx, fact: Fact, table: str, duck_conn) -> dict:
    """Metadata of the loaded rows: the staged month-ends in the Postgres table."""
    first_last = duck_conn.execute(f"SELECT min(date), max(date) FROM {table}").fetchone()
    if first_last[0] is None:
        return table_summary(Preview((), ()), columns_of(fact.table))
    return tx.metadata(fact.table, "date >= ? AND date <= ?", first_last)


def link_to_securities(tx: Tx, fact: Fact) -> dict:
    """One set-based UPDATE linking every unlinked row of the fact table to its security."""
    linked = tx.execute(
        f"UPDATE {fact.table} SET security_id = s.security_id, name = s.name, kor_name = s.kor_name "
        f"FROM security AS s WHERE {fact.table}.security_id IS NULL AND s.ticker = {fact.table}.ticker "
        f"AND s.exchange = {fact.table}.exchange"
    )
    metadata = tx.metadata(fact.table, "security_id IS NOT NULL", (), "date DESC, exchange, ticker")
    unlinked = tx.query(f"SELECT count(*) FROM {fact.table} WHERE security_id IS NULL")[0][0]
    metadata["linked_now"] = max(linked, 0)
    metadata["still_unlinked"] = unlinked
    return metadata
