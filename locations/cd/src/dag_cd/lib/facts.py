"""Fact steps (per day and exchange): prices, market caps and fundamentals ("bppedd").

Each fact has three steps, written once for both sinks: fetch from KRX into its staging table
(validated: an empty or all-zero answer on a trading day fails, so do rows whose every price field
is zero), digest staging into the fact table (replacing the partition in one transaction), and
link the rows to their securities.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from dag_cd.lib.backend import Backend
from dag_cd.lib.krx import KrxDataError, KrxFrame, KrxSource
from dag_cd.lib.results import Check, StepResult
from dag_cd.lib.schema import quote


@dataclass(frozen=True)
class Fact:
    dataset: str  # KRX dataset of lib.krx.DATASETS
    staging: str
    table: str
    staged: tuple[str, ...]  # value columns of the staging table, KRX order
    stored: tuple[str, ...]  # value columns copied into the fact table
    zero_means_invalid: tuple[str, ...]  # a row with all of these 0 carries no data
    zero_rows_fail: bool  # True: such a row fails the load; False: it is skipped and counted
    skip_exchanges: tuple[str, ...] = ()


FACTS = {
    "price": Fact("ohlcv", "tmp_prices", "price",
                  ("open", "high", "low", "close", "volume", "transaction", "rate"),
                  ("open", "high", "low", "close", "volume", "transaction", "rate"),
                  ("open", "high", "low", "close", "volume", "transaction", "rate"), True),
    "marketcap": Fact("market_cap", "tmp_marketcaps", "marketcap",
                      ("close", "marketcap", "volume", "transaction", "shares"),
                      ("marketcap", "volume", "transaction", "shares"),
                      ("close", "marketcap", "volume", "transaction"), True),
    # KRX publishes no fundamentals for KONEX; per is not part of the zero test (KRX's own rule).
    "bppedd": Fact("fundamental", "tmp_bppedds", "bppedd",
                   ("bps", "per", "pbr", "eps", "div", "dps"), ("bps", "per", "pbr", "eps", "div", "dps"),
                   ("bps", "pbr", "eps", "div", "dps"), False, skip_exchanges=("KONEX",)),
}  # fmt: skip


def _zero_rows(frame: KrxFrame, columns: tuple[str, ...]) -> list[int]:
    positions = [frame.columns.index(c) for c in columns]
    return [i for i, row in enumerate(frame.rows) if not any(row[p] for p in positions)]


def _skipped(fact: Fact, exchange: str) -> StepResult:
    return StepResult(
        {"dagster/row_count": 0, "skipped": f"KRX publishes no {fact.table} data for {exchange}"}
    )


def validate_frame(fact: Fact, frame: KrxFrame, day: date, exchange: str) -> list[int]:
    """Fail on answers that cannot be a trading day's data; return the rows to skip."""
    if frame.empty:
        raise KrxDataError(
            f"KRX returned no {fact.dataset} data for trading day {day} {exchange} "
            f"({frame.origin}); an empty answer on a trading day is an error"
        )
    if frame.all_zero():
        raise KrxDataError(
            f"{frame.origin}: every value is 0, KRX's answer for a holiday, but {day} is a "
            "KRX trading day (XKRX); the data is not published yet or the snapshot is wrong"
        )
    zero = _zero_rows(frame, fact.zero_means_invalid)
    if zero and fact.zero_rows_fail:
        lines = ", ".join(f"line {i + 2} ({frame.rows[i][0]})" for i in zero[:20])
        raise KrxDataError(
            f"{frame.origin}: {len(zero)} of {len(frame.rows)} rows have every field of "
            f"{list(fact.zero_means_invalid)} equal to 0 on a trading day: {lines}"
        )
    return zero


# Skipped all-zero rows are normal for a few securities (SPACs, new listings); a large share is not.
SKIPPED_ROWS_WARN_SHARE = 0.2


def _skipped_rows_check(skipped: int, total: int) -> Check:
    return Check(
        "zero_rows_skipped",
        skipped <= SKIPPED_ROWS_WARN_SHARE * total,
        {"rows_skipped": skipped, "rows_in_answer": total},
        warn=True,
    )


def fetch_fact(
    fact: Fact, backend: Backend, krx: KrxSource, day: date, exchange: str, log: Any
) -> StepResult:
    """KRX answer for the day and exchange into the staging table (replacing that partition)."""
    if exchange in fact.skip_exchanges:
        result = _skipped(fact, exchange)
        if not fact.zero_rows_fail:
            result.checks.append(_skipped_rows_check(0, 0))
        return result
    frame = krx.fetch(fact.dataset, day, exchange)
    skip = set(validate_frame(fact, frame, day, exchange))
    positions = [frame.columns.index(c) for c in fact.staged]
    rows = [
        (day, exchange, row[0], *(row[p] for p in positions))
        for i, row in enumerate(frame.rows)
        if i not in skip
    ]
    with backend.transaction() as tx:
        tx.execute(f"DELETE FROM {fact.staging} WHERE date = ? AND exchange = ?", (day, exchange))
        tx.insert_rows(fact.staging, ("date", "exchange", "ticker", *fact.staged), rows)
        metadata = tx.metadata(fact.staging, "date = ? AND exchange = ?", (day, exchange))
    metadata["origin"] = frame.origin
    metadata["zero_rows_skipped"] = len(skip)
    if skip:
        log.warning(
            f"{frame.origin}: skipped {len(skip)} rows whose {list(fact.zero_means_invalid)} are all 0"
        )
    checks = [] if fact.zero_rows_fail else [_skipped_rows_check(len(skip), len(frame.rows))]
    return StepResult(metadata, checks)


def digest_fact(fact: Fact, backend: Backend, day: date, exchange: str, log: Any) -> StepResult:
    """Staging → fact table for one partition, in one transaction; staging is emptied."""
    if exchange in fact.skip_exchanges:
        return _skipped(fact, exchange)
    key = (day, exchange)
    stored = ", ".join(map(quote, fact.stored))
    with backend.transaction() as tx:
        staged = tx.query(f"SELECT count(*) FROM {fact.staging} WHERE date = ? AND exchange = ?", key)[0][0]
        if not staged:
            raise ValueError(
                f"nothing staged in {fact.staging} for {day} {exchange}: "
                f"materialize the {fact.dataset} fetch step for this partition first"
            )
        tx.execute(f"DELETE FROM {fact.table} WHERE date = ? AND exchange = ?", key)
        tx.execute(
            f"INSERT INTO {fact.table} (date, exchange, ticker, {stored}, year, month) "
            f"SELECT date, exchange, ticker, {stored}, ?, ? FROM {fact.staging} WHERE date = ? AND exchange = ?",
            (day.year, day.month, *key),
        )
        tx.execute(f"DELETE FROM {fact.staging} WHERE date = ? AND exchange = ?", key)
        metadata = tx.metadata(fact.table, "date = ? AND exchange = ?", key)
        checks = []
        negatives = [c for c in fact.stored if c not in ("per", "eps", "rate")]  # may be negative
        if fact.table in ("price", "marketcap"):
            condition = " OR ".join(f"{quote(c)} < 0" for c in negatives)
            bad = tx.query(
                f"SELECT ticker FROM {fact.table} WHERE date = ? AND exchange = ? AND ({condition}) "
                "ORDER BY ticker",
                key,
            )
            checks.append(
                Check(
                    f"no_negative_{fact.table}_values",
                    not bad,
                    {"negative_rows": len(bad), "tickers": ", ".join(t for (t,) in bad[:50])},
                )
            )
    return StepResult(metadata, checks)


def sync_fact_to_security(fact: Fact, backend: Backend, day: date, exchange: str, log: Any) -> StepResult:
    """Link the partition's fact rows to their securities by (ticker, exchange)."""
    if exchange in fact.skip_exchanges:
        return _skipped(fact, exchange)
    key = (day, exchange)
    with backend.transaction() as tx:
        tx.execute(
            f"UPDATE {fact.table} SET security_id = s.security_id, name = s.name, kor_name = s.kor_name "
            f"FROM security AS s WHERE {fact.table}.date = ? AND {fact.table}.exchange = ? "
            f"AND s.ticker = {fact.table}.ticker AND s.exchange = {fact.table}.exchange",
            key,
        )
        unlinked = tx.query(
            f"SELECT count(*) FROM {fact.table} WHERE date = ? AND exchange = ? AND security_id IS NULL", key
        )[0][0]
        metadata = tx.metadata(fact.table, "date = ? AND exchange = ?", key)
    metadata["unlinked_rows"] = unlinked
    return StepResult(metadata)
