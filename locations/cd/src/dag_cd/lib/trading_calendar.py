"""The KRX trading calendar (exchange-calendars' XKRX); `dag_cd.defs.partitions` builds the CD
partitions on it.

exchange-calendars takes seconds to import, too slow for loading definitions, so the XKRX
sessions from the fixed start date are bundled in `xkrx_sessions.txt` (written by
`python -m dag_cd.lib.trading_calendar`, and checked against the library by a test). Only when the bundled
list ends within a month of today is the library asked at load time.
"""

from __future__ import annotations

import functools
from datetime import date, timedelta
from pathlib import Path

DAILY_START = date(2024, 1, 2)  # first KRX session of 2024: the daily partitions' fixed start
KONEX_START = date(2013, 7, 1)
SESSIONS_FILE = Path(__file__).parent / "xkrx_sessions.txt"
TIMEZONE = "Asia/Seoul"


def xkrx_sessions(start: date, end: date) -> list[date]:
    """KRX trading days in [start, end] from exchange-calendars (heavy import, call sparingly)."""
    import exchange_calendars as xcals

    calendar = xcals.get_calendar("XKRX", start=min(start, date(2004, 1, 2)).isoformat(), end=end.isoformat())
    last = min(end, calendar.last_session.date())
    return [ts.date() for ts in calendar.sessions_in_range(start.isoformat(), last.isoformat())]


@functools.cache
def daily_sessions() -> tuple[date, ...]:
    """Trading days from DAILY_START on: bundled, extended by the library when it runs out."""
    text = SESSIONS_FILE.read_text() if SESSIONS_FILE.is_file() else ""
    bundled = [date.fromisoformat(line) for line in text.split()]
    if bundled and bundled[-1] >= date.today() + timedelta(days=31):
        return tuple(bundled)
    return tuple(xkrx_sessions(DAILY_START, date.today() + timedelta(days=366)))


def is_trading_day(day: date) -> bool:
    if day >= DAILY_START:
        return day in set(daily_sessions())
    return day in set(xkrx_sessions(day, day))


def month_end_sessions(first_year: int, last_day: date) -> list[date]:
    """The last trading day of every month from January of `first_year`, up to `last_day`."""
    sessions = xkrx_sessions(date(first_year, 1, 1), last_day + timedelta(days=40))
    by_month: dict[tuple[int, int], date] = {}
    for day in sessions:
        by_month[(day.year, day.month)] = day
    return sorted(d for d in by_month.values() if d <= last_day)


if __name__ == "__main__":
    sessions = xkrx_sessions(DAILY_START, date.today() + timedelta(days=366))
    SESSIONS_FILE.write_text("".join(f"{d.isoformat()}\n" for d in sessions))
    print(f"wrote {len(sessions)} XKRX sessions {sessions[0]} … {sessions[-1]} to {SESSIONS_FILE}")
