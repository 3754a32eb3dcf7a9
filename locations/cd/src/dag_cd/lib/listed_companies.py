"""CD's listed-company master as a data product for other teams (`cd_listed_companies`).

After a trading day's gold steps, every listed company known to the warehouse is published as one
Parquet object per trading day in the shared object store, plus a `latest` pointer (a small JSON
object naming the newest day's key). Other locations read the product by its key, never CD's
database or code.

One row per company (`company.type` = 상장법인) with a security listed on or before the day:
- `market` and `ticker`: the exchange and ticker of its active common share; a company listed only
  through preferred shares has no common ticker (`ticker` NULL, `market` of a preferred share);
- `listing_date`: its first security's; `delisting_date`: NULL while a security is active that day,
  else its last security's delisting date;
- `readings`: the Hangul readings CD already computes for Latin letters (`search_name` rows of origin
  `eng2kor`, `LG전자` → `엘지전자`), so that registries in Hangul can be searched;
- `preferred_tickers`: its active preferred shares.
Re-publishing a day writes the same bytes under the same key; an older day never moves `latest`.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from dag_cd.lib.backend import Backend
from dag_cd.lib.listing import LISTED_COMPANY
from dag_cd.lib.names import COMMON

PREFIX = "cd/cd_listed_companies"
LATEST_KEY = f"{PREFIX}/latest.json"
COLUMNS = (
    ("company_id", "VARCHAR"),
    ("company_name", "VARCHAR"),
    ("market", "VARCHAR"),
    ("ticker", "VARCHAR"),
    ("listing_date", "DATE"),
    ("delisting_date", "DATE"),
    ("readings", "VARCHAR[]"),
    ("preferred_tickers", "VARCHAR[]"),
    ("as_of", "DATE"),
)
COLUMN_NAMES = tuple(name for name, _ in COLUMNS)


def day_key(day: date) -> str:
    return f"{PREFIX}/date={day.isoformat()}/cd_listed_companies.parquet"


@dataclass(frozen=True)
class Published:
    key: str
    rows: list[tuple]
    latest_day: str
    moved_latest: bool


def _securities(backend: Backend, day: date) -> list[tuple]:
    with backend.transaction() as tx:
        return tx.query(
            "SELECT c.company_id, c.name, s.ticker, s.exchange, s.type, s.listing_date, s.delisting_date "
            "FROM company c JOIN security s ON s.company_id = c.company_id "
            "WHERE c.type = ? AND s.listing_date <= ? ORDER BY c.name, s.ticker, s.exchange",
            (LISTED_COMPANY, day),
        )


def _readings(backend: Backend) -> dict[str, list[str]]:
    with backend.transaction() as tx:
        rows = tx.query(
            "SELECT company_id, value FROM search_name WHERE origin = ? ORDER BY company_id, value",
            ("eng2kor",),
        )
    readings: dict[str, list[str]] = {}
    for company_id, value in rows:
        readings.setdefault(str(company_id), []).append(value)
    return readings


def _as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def listed_companies(backend: Backend, day: date) -> list[tuple]:
    """The day's listed-company master, one tuple per company in `COLUMN_NAMES` order."""
    companies: dict[str, dict] = {}
    for company_id, name, ticker, exchange, kind, listed, delisted in _securities(backend, day):
        entry = companies.setdefault(str(company_id), {"name": name, "securities": []})
        delisted = _as_date(delisted)
        active = delisted is None or delisted > day
        entry["securities"].append((ticker, exchange, kind, _as_date(listed), delisted, active))
    readings = _readings(backend)
    rows = []
    for company_id, entry in companies.items():
        securities = entry["securities"]
        active = [s for s in securities if s[5]]
        common = [s for s in active if s[2] == COMMON]
        preferred = sorted(s[0] for s in active if s[2] != COMMON)
        if common:
            market, ticker = common[0][1], common[0][0]
        else:
            shown = active or sorted(securities, key=lambda s: s[4] or day)[-1:]
            market, ticker = shown[0][1], None
        rows.append(
            (
                company_id,
                entry["name"],
                market,
                ticker,
                min(s[3] for s in securities),
                None if active else max(s[4] for s in securities),
                readings.get(company_id, []),
                preferred,
                day,
            )
        )
    rows.sort(key=lambda r: (r[1], r[0]))
    return rows


def to_parquet(rows: list[tuple]) -> bytes:
    """The rows as Parquet bytes (DuckDB writes them; same rows, same bytes)."""
    import duckdb

    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "listed.parquet"
        conn = duckdb.connect()
        try:
            conn.execute(f"CREATE TABLE listed ({', '.join(f'{n} {t}' for n, t in COLUMNS)})")
            if rows:
                marks = ", ".join("?" * len(COLUMNS))
                conn.executemany(f"INSERT INTO listed VALUES ({marks})", [list(r) for r in rows])
            conn.execute(
                f"COPY (SELECT * FROM listed ORDER BY company_name, company_id) TO '{target}' (FORMAT parquet)"
            )
        finally:
            conn.close()
        return target.read_bytes()


def publish(store: Any, backend: Backend, day: date) -> Published:
    """Write the day's object and move `latest` to it unless a newer day is already published."""
    rows = listed_companies(backend, day)
    key = day_key(day)
    store.put(key, to_parquet(rows), "application/vnd.apache.parquet")
    latest = json.loads(store.get(LATEST_KEY)) if store.exists(LATEST_KEY) else None
    moved = latest is None or latest["day"] <= day.isoformat()
    if moved:
        pointer = {"day": day.isoformat(), "key": key, "rows": len(rows)}
        store.put(LATEST_KEY, json.dumps(pointer, sort_keys=True).encode(), "application/json")
        latest = pointer
    return Published(key, rows, latest["day"], moved)
