"""Guards of the daily CD load: a partial KRX day never reaches the security master or the gold steps.

Three guards, written once for both sinks (they talk to a `Backend`):

- Cross-check (in `cd_stockcode`, before the day's list or the security master is touched): KRX
  serves the ticker list, OHLCV and market caps of a (day, market) from one answer (전종목시세,
  MDCSTAT01501), so the three files must list exactly the same tickers; no tolerance is needed.
  Fundamentals come from another answer (MDCSTAT03501) that legitimately covers fewer tickers and
  none on KONEX, so they are not part of the comparison.
- Delisting wave (in `cd_stockcode` too): a list that would delist more than
  max(DELISTING_WAVE_FLOOR, CD_MAX_DELISTING_SHARE × active securities) of the exchange in one day
  is refused, unless the next trading day's list exists and lacks those tickers as well.
- Gold readiness: every (day, exchange) load step that feeds gold records its success in the
  `load_ledger` table of its own sink (cleared when the step starts, written when it succeeded). The
  day's gold steps run only when every exchange has a complete ledger whose steps ran in dependency
  order; the ledger lives in the warehouse, so the guard works the same from the CLI (any Dagster
  instance, even an ephemeral one) and on the stack.

Overrides are explicit and scoped to partitions, and come in as `GuardSettings` resolved when the
step starts (the `cd_load_guards` resource reads the documented variables then):
`CD_LISTING_GUARD_OVERRIDE` (the day's files are right as they are) and `CD_GOLD_ACCEPT_MISSING`
(compute gold without those exchanges). Every refusal raises `LoadRefused`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from dag_shared.load_guards import LoadRefused, refuse_mismatch, refuse_shrink

from dag_cd.lib.backend import Backend, Tx
from dag_cd.lib.krx import EXCHANGES, KrxFrame, KrxSource

LISTING_OVERRIDE_VAR = "CD_LISTING_GUARD_OVERRIDE"
MAX_DELISTING_SHARE_VAR = "CD_MAX_DELISTING_SHARE"
GOLD_ACCEPT_MISSING_VAR = "CD_GOLD_ACCEPT_MISSING"
# Real KRX delistings are a handful a day out of ~950 KOSPI, ~1,700 KOSDAQ and ~130 KONEX tickers
# (well under 1 %); 5 % leaves room for year-end SPAC and KONEX-transfer waves and still refuses a
# list that lost a block of tickers. The floor lets small universes (the sample, KONEX) lose one
# or two securities on a day without tripping the share.
DEFAULT_MAX_DELISTING_SHARE = 0.05
DELISTING_WAVE_FLOOR = 2
LEDGER = "load_ledger"
CROSS_CHECKED = ("ohlcv", "market_cap")


def partition_keys(text: str | None) -> frozenset[str]:
    """Partition keys `YYYY-MM-DD|EXCHANGE` (or whole days `YYYY-MM-DD`), comma- or semicolon-separated."""
    return frozenset(k.strip() for k in (text or "").replace(";", ",").split(",") if k.strip())


def delisting_share(raw: str | float | None) -> float:
    """CD_MAX_DELISTING_SHARE as a share between 0 and 1 (the default when unset)."""
    if raw is None or raw == "":
        return DEFAULT_MAX_DELISTING_SHARE
    try:
        share = float(raw)
    except ValueError:
        share = -1.0
    if not 0 <= share <= 1:
        raise ValueError(f"{MAX_DELISTING_SHARE_VAR} must be a share between 0 and 1, not {raw!r}")
    return share


@dataclass(frozen=True)
class GuardSettings:
    """The guards' settings for one run: the delisting share and the two override lists."""

    max_delisting_share: float = DEFAULT_MAX_DELISTING_SHARE
    listing_override: frozenset[str] = frozenset()
    gold_accept_missing: frozenset[str] = frozenset()


def _overridden(keys: frozenset[str], day: date, exchange: str) -> bool:
    return f"{day.isoformat()}|{exchange}" in keys or day.isoformat() in keys


def _hint(day: date, exchange: str) -> str:
    return f"set {LISTING_OVERRIDE_VAR}={day.isoformat()}|{exchange} for the run"


def cross_check_day_files(
    krx: KrxSource, listed: KrxFrame, day: date, exchange: str, log: Any, settings: GuardSettings
) -> dict:
    """Refuse a ticker list that disagrees with the same day's OHLCV or market-cap answer."""
    tickers = {row[0] for row in listed.rows}
    others = {}
    for dataset in CROSS_CHECKED:
        frame = krx.fetch(dataset, day, exchange)
        others[frame.origin] = {row[0] for row in frame.rows}
    subject = f"CD {day} {exchange}: the day's KRX files disagree"
    overridden = _overridden(settings.listing_override, day, exchange)
    refuse_mismatch(
        subject,
        reference=(listed.origin, tickers),
        others=others,
        what="tickers",
        confirmed=overridden,
        consequence="the day's list and the security master are left untouched",
        override_hint=_hint(day, exchange),
    )
    if overridden and any(s != tickers for s in others.values()):
        log.warning(f"{subject}; accepted by {LISTING_OVERRIDE_VAR}")
    return {f"{dataset}_tickers": len(s) for dataset, s in zip(CROSS_CHECKED, others.values())}


def _next_trading_day(day: date) -> date | None:
    from dag_cd.lib.trading_calendar import daily_sessions

    return next((d for d in daily_sessions() if d > day), None)


def _confirmation(krx: KrxSource, day: date, exchange: str, delisted: Sequence[str]) -> tuple[bool, str]:
    """Whether the next trading day's list exists and also lacks every ticker about to be delisted."""
    following = _next_trading_day(day)
    if following is None:
        return False, "no next trading day in the calendar"
    try:
        frame = krx.fetch("tickers", following, exchange)
    except (OSError, ValueError, KeyError) as error:  # an unreadable next-day list confirms nothing; say why
        return False, f"the next trading day's list ({following}) could not be read: {error}"
    if frame.empty:
        return False, f"the next trading day's list is not available ({frame.origin})"
    back = sorted(set(delisted) & {row[0] for row in frame.rows})
    if back:
        return (
            False,
            f"{len(back)} of them are on the next trading day's list {frame.origin} ({', '.join(back[:10])})",
        )
    return True, f"the next trading day's list {frame.origin} lacks them as well"


def delisting_wave(
    tx: Tx, krx: KrxSource, listed: KrxFrame, day: date, exchange: str, log: Any, settings: GuardSettings
) -> dict:
    """Refuse a list that would delist more than the allowed share of the exchange in one day."""
    latest = tx.query("SELECT max(date) FROM stockcodename WHERE exchange = ?", (exchange,))[0][0]
    if latest is not None and str(latest)[:10] > day.isoformat():
        return {}  # a backfill of an older day applies no delistings (cd_ingest_stockcodenames)
    tickers = {row[0] for row in listed.rows}
    active = {
        t
        for (t,) in tx.query(
            "SELECT ticker FROM security WHERE exchange = ? AND delisting_date IS NULL", (exchange,)
        )
    }
    delisted = sorted(active - tickers)
    share = settings.max_delisting_share
    metadata: dict[str, Any] = {"delistings_pending": len(delisted)}
    if len(delisted) <= max(DELISTING_WAVE_FLOOR, share * len(active)):
        return metadata
    confirmed, why = _confirmation(krx, day, exchange, delisted)
    overridden = _overridden(settings.listing_override, day, exchange)
    subject = (
        f"CD {day} {exchange}: the ticker list {listed.origin} ({len(tickers):,} tickers) would delist "
        f"{len(delisted):,} of the exchange's {len(active):,} active securities in one day "
        f"({', '.join(delisted[:10])}{', …' if len(delisted) > 10 else ''}), more than "
        f"{MAX_DELISTING_SHARE_VAR}={share:g} allows and not confirmed: {why}; the active securities"
    )
    refuse_shrink(
        subject,
        previous_rows=len(active),
        new_rows=len(active) - len(delisted),
        min_share=1 - share,
        confirmed=confirmed or overridden,
        override_hint=_hint(day, exchange),
    )
    log.warning(
        f"{day} {exchange}: a delisting wave of {len(delisted)} of {len(active)} securities accepted "
        f"({why if confirmed else f'by {LISTING_OVERRIDE_VAR}'})"
    )
    metadata["delisting_wave_accepted"] = why if confirmed else LISTING_OVERRIDE_VAR
    return metadata


def clear_loaded(backend: Backend, day: date, exchange: str, step: str) -> None:
    """A step that starts is no longer loaded until it succeeds again."""
    with backend.transaction() as tx:
        tx.execute(
            f"DELETE FROM {LEDGER} WHERE date = ? AND exchange = ? AND step = ?", (day, exchange, step)
        )


def record_loaded(backend: Backend, day: date, exchange: str, step: str, stamp) -> None:
    with backend.transaction() as tx:
        tx.execute(
            f"DELETE FROM {LEDGER} WHERE date = ? AND exchange = ? AND step = ?", (day, exchange, step)
        )
        tx.insert_rows(LEDGER, ("date", "exchange", "step", "updated_at"), [(day, exchange, step, stamp)])


def require_day_loaded(
    backend: Backend, day: date, required: Mapping[str, Sequence[str]], log: Any, settings: GuardSettings
) -> dict:
    """Refuse the day's gold unless every exchange's load steps (`required`: step → its required
    upstream steps) succeeded, in dependency order; returns metadata naming any accepted absence."""
    with backend.transaction() as tx:
        rows = tx.query(f"SELECT exchange, step, updated_at FROM {LEDGER} WHERE date = ?", (day,))
    loaded: dict[str, dict[str, Any]] = {}
    for exchange, step, stamp in rows:
        loaded.setdefault(exchange, {})[step] = stamp
    problems: dict[str, str] = {}
    for exchange in EXCHANGES:
        have = loaded.get(exchange, {})
        missing = [s for s in required if s not in have]
        stale = [
            f"{s} is older than {d}"
            for s, deps in required.items()
            for d in deps
            if s in have and d in have and have[s] < have[d]
        ]
        if missing:
            problems[exchange] = (
                f"did not load: {len(missing)} of {len(required)} load steps have not succeeded "
                f"since their last attempt ({', '.join(missing[:5])}{', …' if len(missing) > 5 else ''})"
            )
        elif stale:
            problems[exchange] = f"is partly re-loaded: {'; '.join(stale[:3])}"
    accepted = sorted(e for e in problems if _overridden(settings.gold_accept_missing, day, e))
    refused = {e: p for e, p in problems.items() if e not in accepted}
    if refused:
        names = ", ".join(refused)
        details = "; ".join(f"{e} {p}" for e, p in refused.items())
        raise LoadRefused(
            f"CD gold {day}: {names} of {day} did not load successfully, so ranks and company market caps "
            f"would cover a partial day; refusing. {details}. Load the partition(s) "
            f"{', '.join(f'{day}|{e}' for e in refused)} first, or, if the day really has no data for "
            f"them, set {GOLD_ACCEPT_MISSING_VAR}={','.join(f'{day}|{e}' for e in refused)}."
        )
    if accepted:
        log.warning(f"gold {day} runs without {', '.join(accepted)} ({GOLD_ACCEPT_MISSING_VAR})")
    return {"exchanges_accepted_missing": ", ".join(accepted)} if accepted else {}
