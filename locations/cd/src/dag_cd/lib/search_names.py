"""Display- and search-name steps (per day and exchange).

Names are derived data: for the companies with an active security on the exchange, each step
replaces the rows it owns (by `origin`) with the spellings of the current company name, so a
rename leaves no stale entry and a re-run no duplicate. Orders are fixed per origin.

A name that a spelling cannot convert is skipped and counted (`names_skipped`), never a failed
run; and no gold step (prices, caps, ranks) depends on these steps, so the day's numbers never
wait on a name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from dag_cd.lib.backend import Backend
from dag_cd.lib.names import eng2kor, has_hangul, has_latin, keyboard2kor, kor2keyboard
from dag_cd.lib.results import StepResult

_SCOPE = (
    "SELECT DISTINCT c.company_id FROM company c JOIN security s ON s.company_id = c.company_id "
    "WHERE s.exchange = ? AND s.delisting_date IS NULL"
)

# origin -> (order, applies to the name?, spelling)
SPELLINGS: dict[str, tuple[int, Callable[[str], bool], Callable[[str], str]]] = {
    "kor_name": (0, lambda name: True, lambda name: name),
    "eng2kor": (1, has_latin, eng2kor),
    "keyboard": (2, has_hangul, kor2keyboard),
    # Typed with the keyboard left in Hangul mode (no shift: names are typed in lower case).
    "keyboard_reverse": (3, has_latin, lambda name: keyboard2kor(name.lower())),
}
_EXAMPLES = 5  # skipped names named in the log


def _companies(tx, exchange: str) -> list[tuple]:
    return tx.query(
        f"SELECT company_id, name, kor_name FROM company WHERE company_id IN ({_SCOPE}) ORDER BY name",
        (exchange,),
    )


def _replace(tx, table: str, exchange: str, rows: list[tuple], origin: str | None) -> None:
    if origin is None:
        tx.execute(f"DELETE FROM {table} WHERE company_id IN ({_SCOPE})", (exchange,))
        tx.executemany(
            f'INSERT INTO {table} (company_id, company_name, value, "order") VALUES (?, ?, ?, ?) '
            "ON CONFLICT DO NOTHING",
            rows,
        )
    else:
        tx.execute(f"DELETE FROM {table} WHERE origin = ? AND company_id IN ({_SCOPE})", (origin, exchange))
        tx.executemany(
            f'INSERT INTO {table} (company_id, company_name, value, "order", origin) '
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            [(*r, origin) for r in rows],
        )


@dataclass
class Spelled:
    """The rows of one spelling, and the names it could not spell (skipped, never a failure)."""

    rows: list[tuple] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (name, error)


def _spelled(companies: list[tuple], origin: str) -> Spelled:
    order, applies, spell = SPELLINGS[origin]
    source = "kor_name" if origin == "kor_name" else "name"
    result = Spelled()
    for cid, name, kor_name in companies:
        text = kor_name if source == "kor_name" else name
        if not text or not applies(text):
            continue
        try:
            result.rows.append((cid, name, spell(text), order))
        except Exception as error:  # noqa: BLE001 - one bad name must not cost the day its other names
            result.skipped.append((text, f"{type(error).__name__}: {error}"))
    return result


def _report_skipped(metadata: dict, log: Any, step: str, *spellings: Spelled) -> dict:
    """`names_skipped` in the metadata, and a warning naming the first few."""
    skipped = [s for spelled in spellings for s in spelled.skipped]
    metadata["names_skipped"] = len(skipped)
    if skipped:
        examples = "; ".join(f"{name!r} ({error})" for name, error in skipped[:_EXAMPLES])
        log.warning(f"{step}: {len(skipped)} names could not be spelled and were skipped, e.g. {examples}")
    return metadata


def _metadata(tx, table: str, exchange: str, origins: tuple[str, ...], written: int) -> dict:
    marks = ", ".join("?" * len(origins))
    where = f"company_id IN ({_SCOPE})" + (f" AND origin IN ({marks})" if table == "search_name" else "")
    params = (exchange, *origins) if table == "search_name" else (exchange,)
    metadata = tx.metadata(table, where, params, "company_name, value")
    metadata["rows_written"] = written
    return metadata


def sync_display_name_search_name(backend: Backend, day: date, exchange: str, log: Any) -> StepResult:
    """Each company's Korean name as its display name and first search name."""
    with backend.transaction() as tx:
        companies = _companies(tx, exchange)
        spelled = _spelled(companies, "kor_name")
        _replace(tx, "display_name", exchange, spelled.rows, None)
        _replace(tx, "search_name", exchange, spelled.rows, "kor_name")
        metadata = _metadata(tx, "display_name", exchange, (), len(spelled.rows))
    return StepResult(_report_skipped(metadata, log, "display names", spelled))


def post_eng2kor_search_name(backend: Backend, day: date, exchange: str, log: Any) -> StepResult:
    """Names with Latin letters, spelled letter by letter in Hangul (`SK하이닉스` → `에스케이하이닉스`)."""
    with backend.transaction() as tx:
        spelled = _spelled(_companies(tx, exchange), "eng2kor")
        _replace(tx, "search_name", exchange, spelled.rows, "eng2kor")
        metadata = _metadata(tx, "search_name", exchange, ("eng2kor",), len(spelled.rows))
    return StepResult(_report_skipped(metadata, log, "Latin letter names", spelled))


def post_kor2eng_search_name_for_keyboard(backend: Backend, day: date, exchange: str, log: Any) -> StepResult:
    """Keyboard spellings: Hangul names as 2-set keys (`삼성` → `tkatjd`), Latin names as the Hangul
    the same keys give in Hangul mode."""
    with backend.transaction() as tx:
        companies = _companies(tx, exchange)
        forward = _spelled(companies, "keyboard")
        reverse = _spelled(companies, "keyboard_reverse")
        _replace(tx, "search_name", exchange, forward.rows, "keyboard")
        _replace(tx, "search_name", exchange, reverse.rows, "keyboard_reverse")
        metadata = _metadata(
            tx,
            "search_name",
            exchange,
            ("keyboard", "keyboard_reverse"),
            len(forward.rows) + len(reverse.rows),
        )
    return StepResult(_report_skipped(metadata, log, "keyboard spellings", forward, reverse))
