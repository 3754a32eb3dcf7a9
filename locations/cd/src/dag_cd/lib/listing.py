"""Listing steps (per day and exchange): the day's ticker list, the security master's lifecycle
(new listings, delistings, renames, relistings), security types and companies.

Each step takes a `Backend` and runs inside one transaction, so it serves Postgres and Turso alike.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from dag_cd.lib.backend import Backend
from dag_cd.lib.guards import GuardSettings, cross_check_day_files, delisting_wave
from dag_cd.lib.krx import KrxDataError, KrxSource
from dag_cd.lib.names import COMMON, EXCLUDED_TYPES, company_name, security_type
from dag_cd.lib.results import Preview, StepResult

_NAMESPACE = uuid.UUID("6f1d4c1e-8a53-4d6b-9a39-0c0de5c0cd01")
COUNTRY = "KR"
LISTED_COMPANY = "상장법인"


def now() -> datetime:
    return datetime.now().replace(microsecond=0)


def security_id_for(exchange: str, ticker: str) -> str:
    """Deterministic ids keep both sinks identical and re-runs stable."""
    return str(uuid.uuid5(_NAMESPACE, f"security|{exchange}|{ticker}"))


def company_id_for(name: str, founding_security_id: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"company|{name}|{founding_security_id}"))


def _events_preview(events: list[tuple[str, str, str]]) -> Preview:
    return Preview(("event", "ticker", "name"), events[:50], (), len(events))


def _day_list(krx: KrxSource, day: date, exchange: str):
    frame = krx.fetch("tickers", day, exchange)
    if frame.empty:
        raise KrxDataError(
            f"KRX has no ticker list for trading day {day} {exchange} ({frame.origin}); "
            "an empty answer on a trading day is an error, never an empty market"
        )
    return frame


def stockcode(
    backend: Backend, krx: KrxSource, day: date, exchange: str, log: Any, guards: GuardSettings
) -> StepResult:
    """The day's KRX ticker list into `stockcodename` (replacing that day and exchange), once it agrees
    with the day's OHLCV and market-cap answers and would not delist a wave of securities (cd_guards);
    a refused list leaves the day's list and the security master untouched."""
    frame = _day_list(krx, day, exchange)
    checked = cross_check_day_files(krx, frame, day, exchange, log, guards)
    with backend.transaction() as tx:
        checked |= delisting_wave(tx, krx, frame, day, exchange, log, guards)
        tx.execute("DELETE FROM stockcodename WHERE date = ? AND exchange = ?", (day, exchange))
        tx.insert_rows(
            "stockcodename",
            ("date", "exchange", "ticker"),
            [(day, exchange, ticker) for ticker, _ in frame.rows],
        )
        metadata = tx.metadata("stockcodename", "date = ? AND exchange = ?", (day, exchange))
    metadata["origin"] = frame.origin
    metadata |= checked
    return StepResult(metadata)


def stockcodenames(backend: Backend, krx: KrxSource, day: date, exchange: str, log: Any) -> StepResult:
    """Each ticker's name as of that day, from the same day's KRX list (`ISU_ABBRV`), not from a
    per-ticker lookup of today's name."""
    names = dict(_day_list(krx, day, exchange).rows)
    with backend.transaction() as tx:
        tickers = [
            t
            for (t,) in tx.query(
                "SELECT ticker FROM stockcodename WHERE date = ? AND exchange = ?", (day, exchange)
            )
        ]
        if not tickers:
            raise ValueError(f"no ticker list staged for {day} {exchange}: materialize cd_stockcode first")
        unnamed = sorted(t for t in tickers if t not in names)
        if unnamed:
            raise KrxDataError(
                f"KRX's {day} {exchange} list no longer has {len(unnamed)} staged tickers "
                f"({', '.join(unnamed[:10])}): re-run cd_stockcode for this partition"
            )
        tx.executemany(
            "UPDATE stockcodename SET name = ? WHERE date = ? AND exchange = ? AND ticker = ?",
            [(names[t], day, exchange, t) for t in tickers],
        )
        metadata = tx.metadata("stockcodename", "date = ? AND exchange = ?", (day, exchange))
    return StepResult(metadata)


def ingest_stockcodenames(backend: Backend, day: date, exchange: str, log: Any) -> StepResult:
    """Merge the day's list into `security`: new listings, delistings, renames, relistings."""
    stamp = now()
    with backend.transaction() as tx:
        listed = dict(
            tx.query(
                "SELECT ticker, name FROM stockcodename WHERE date = ? AND exchange = ?", (day, exchange)
            )
        )
        if not listed or None in listed.values():
            raise ValueError(
                f"no named ticker list staged for {day} {exchange}: "
                "materialize cd_stockcode and cd_stockcodenames first"
            )
        latest = str(tx.query("SELECT max(date) FROM stockcodename WHERE exchange = ?", (exchange,))[0][0])[
            :10
        ]
        backfill = latest > day.isoformat()
        known = {
            t: (sid, name, dd)
            for sid, t, name, dd in tx.query(
                "SELECT security_id, ticker, name, delisting_date FROM security WHERE exchange = ?",
                (exchange,),
            )
        }
        events: list[tuple[str, str, str]] = []
        new_rows = []
        for ticker, name in sorted(listed.items()):
            if ticker not in known:
                new_rows.append(
                    (security_id_for(exchange, ticker), ticker, name, name, exchange, COUNTRY, day, stamp)
                )
                events.append(("new listing", ticker, name))
        tx.insert_rows(
            "security",
            (
                "security_id",
                "ticker",
                "name",
                "kor_name",
                "exchange",
                "country",
                "listing_date",
                "updated_at",
            ),
            new_rows,
        )
        if backfill:
            log.info(
                f"{day} is older than the latest list ({latest}) of {exchange}: only new listings applied"
            )
        else:
            # cd_stockcode refused a list that disagrees with the day's other files or delists a wave.
            delisted = sorted(t for t, (_, _, dd) in known.items() if dd is None and t not in listed)
            renamed = sorted(t for t in listed if t in known and known[t][1] != listed[t])
            relisted = sorted(t for t in listed if t in known and known[t][2] is not None)
            tx.executemany(
                "UPDATE security SET delisting_date = ?, updated_at = ? WHERE security_id = ?",
                [(day, stamp, known[t][0]) for t in delisted],
            )
            # A renamed security is classified again (a SPAC that merged is no longer a SPAC).
            tx.executemany(
                "UPDATE security SET name = ?, kor_name = ?, type = NULL, updated_at = ? "
                "WHERE security_id = ?",
                [(listed[t], listed[t], stamp, known[t][0]) for t in renamed],
            )
            tx.executemany(
                "UPDATE security SET delisting_date = NULL, updated_at = ? WHERE security_id = ?",
                [(stamp, known[t][0]) for t in relisted],
            )
            events += [("delisting", t, known[t][1]) for t in delisted]
            events += [("rename", t, f"{known[t][1]} → {listed[t]}") for t in renamed]
            events += [("relisting", t, listed[t]) for t in relisted]
        metadata = tx.metadata("security", "exchange = ?", (exchange,), order_by="ticker")
    counts = {
        kind: sum(1 for e in events if e[0] == kind)
        for kind in ("new listing", "delisting", "rename", "relisting")
    }
    metadata.update({f"{kind.replace(' ', '_')}s": n for kind, n in counts.items()})
    metadata["events"] = _events_preview(events)
    return StepResult(metadata)


def update_security_type(backend: Backend, day: date, exchange: str, log: Any) -> StepResult:
    """Classify active, unclassified securities of the exchange by name (SPAC, REIT, preferred, …)."""
    with backend.transaction() as tx:
        names = {
            n
            for (n,) in tx.query(
                "SELECT name FROM security WHERE exchange = ? AND delisting_date IS NULL", (exchange,)
            )
        }
        rows = tx.query(
            "SELECT security_id, name FROM security WHERE exchange = ? AND delisting_date IS NULL "
            "AND type IS NULL ORDER BY security_id",
            (exchange,),
        )
        stamp = now()
        updates = [(security_type(name, names), stamp, sid) for sid, name in rows]
        tx.executemany("UPDATE security SET type = ?, updated_at = ? WHERE security_id = ?", updates)
        metadata = tx.metadata("security", "exchange = ? AND delisting_date IS NULL", (exchange,), "ticker")
    by_type: dict[str, int] = {}
    for kind, _, _ in updates:
        by_type[kind] = by_type.get(kind, 0) + 1
    metadata["classified"] = by_type
    return StepResult(metadata)


def upsert_company_by_security(backend: Backend, day: date, exchange: str, log: Any) -> StepResult:
    """Link each active security (except SPACs, REITs, funds) to its company, creating companies
    for new names and following renames of common shares."""
    stamp = now()
    created: list[tuple[str, str, str]] = []
    with backend.transaction() as tx:
        excluded_params = ", ".join("?" * len(EXCLUDED_TYPES))
        rows = tx.query(
            "SELECT s.security_id, s.name, s.type, s.company_id, c.name FROM security s "
            "LEFT JOIN company c ON c.company_id = s.company_id "
            f"WHERE s.exchange = ? AND s.delisting_date IS NULL AND (s.type IS NULL OR s.type NOT IN ({excluded_params})) "
            "ORDER BY s.ticker",
            (exchange, *EXCLUDED_TYPES),
        )
        by_name = {name: str(cid) for cid, name in tx.query("SELECT company_id, name FROM company")}
        # Common shares first, so a renamed company exists before its preferred shares look for it.
        rows.sort(key=lambda r: r[2] != COMMON)
        links = []
        for sid, name, kind, cid, current in rows:
            wanted = company_name(name, kind)
            if cid is not None and current == wanted:
                continue
            if wanted in by_name:
                target = by_name[wanted]
            elif cid is not None and kind == COMMON:
                tx.execute(
                    "UPDATE company SET name = ?, kor_name = ?, updated_at = ? WHERE company_id = ?",
                    (wanted, wanted, stamp, cid),
                )
                by_name.pop(current, None)
                by_name[wanted] = target = str(cid)
                created.append(("renamed", wanted, current))
                continue
            else:
                target = company_id_for(wanted, str(sid))
                tx.execute(
                    "INSERT INTO company (company_id, name, kor_name, country, type, created_at, updated_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING",
                    (target, wanted, wanted, COUNTRY, LISTED_COMPANY, stamp, stamp),
                )
                target = str(tx.query("SELECT company_id FROM company WHERE name = ?", (wanted,))[0][0])
                by_name[wanted] = target
                created.append(("created", wanted, name))
            links.append((target, stamp, sid))
        tx.executemany("UPDATE security SET company_id = ?, updated_at = ? WHERE security_id = ?", links)
        metadata = tx.metadata(
            "company",
            "company_id IN (SELECT company_id FROM security WHERE exchange = ?)",
            (exchange,),
            "name",
        )
    metadata["securities_linked"] = len(links)
    metadata["companies_created_or_renamed"] = Preview(
        ("change", "company", "from"), created[:50], (), len(created)
    )
    return StepResult(metadata)
