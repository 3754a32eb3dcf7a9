"""Board times (Korean Standard Time, in every form the four boards print) to UTC.

One parser for every site (legacy spec A5.5 had one subtly different copy per site). Forms:
`방금 전`, `N초 전`, `N분 전`, `N시간 전`, `N일 전`, a bare number (N minutes ago), `HH:mm[:ss]`
(today, or yesterday when that would lie in the future), `오늘/어제/그제/그저께 HH:mm`,
`MM.DD HH:mm` and `MM-DD`/`MM/DD` (year guessed, one year back when in the future),
`YYYY.MM.DD[ HH:mm[:ss]]` with `.`, `-` or `/`, two-digit years `YY.MM.DD[ HH:mm[:ss]]`,
ISO 8601 (with or without offset; without one it is KST) and RFC 2822. Anything else raises
`TimeParseError`, the only exception this module raises.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

KST = timezone(timedelta(hours=9), "KST")

_AGO_UNITS = {"초": "seconds", "분": "minutes", "시간": "hours", "일": "days"}
_DAY_WORDS = {"오늘": 0, "어제": 1, "그제": 2, "그저께": 2}

_RE_JUST_NOW = re.compile(r"^방금(\s*전)?$")
_RE_AGO = re.compile(r"^(\d{1,5})\s*(초|분|시간|일)\s*전$")
_RE_BARE_NUMBER = re.compile(r"^(\d{1,4})$")
_RE_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")
_RE_DAY_WORD = re.compile(r"^(오늘|어제|그제|그저께)\s*(\d{1,2}):(\d{2})(?::(\d{2}))?$")
_RE_FULL_DATE = re.compile(
    r"^(\d{4})[./-](\d{1,2})[./-](\d{1,2})\.?(?:[\sT]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$"
)
_RE_SHORT_YEAR = re.compile(r"^(\d{2})[./-](\d{1,2})[./-](\d{1,2})\.?(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
_RE_MONTH_DAY = re.compile(r"^(\d{1,2})[./-](\d{1,2})\.?(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$")


class TimeParseError(ValueError):
    """The text is not a time form any board prints."""


def _kst(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    try:
        return datetime(year, month, day, hour, minute, second, tzinfo=KST)
    except ValueError as error:
        raise TimeParseError(str(error)) from None


def _num(value: str | None) -> int:
    return int(value) if value else 0


def parse_kst(text: str, now: datetime) -> datetime:
    """The UTC time a board's KST text stands for; `now` (aware) anchors relative forms."""
    if now.tzinfo is None:
        raise TimeParseError("now must be timezone-aware")
    if not isinstance(text, str):
        raise TimeParseError(f"not a text: {text!r}")
    value = " ".join(text.replace("\xa0", " ").split())
    if not value:
        raise TimeParseError("empty time text")
    return _parse(value, now.astimezone(KST)).astimezone(UTC)


def _parse(value: str, now: datetime) -> datetime:
    if _RE_JUST_NOW.match(value):
        return now
    if m := _RE_AGO.match(value):
        return now - timedelta(**{_AGO_UNITS[m[2]]: int(m[1])})
    if m := _RE_BARE_NUMBER.match(value):
        return now - timedelta(minutes=int(m[1]))
    if m := _RE_CLOCK.match(value):
        result = _kst(now.year, now.month, now.day, int(m[1]), int(m[2]), _num(m[3]))
        return result - timedelta(days=1) if result > now + timedelta(minutes=1) else result
    if m := _RE_DAY_WORD.match(value):
        day = now - timedelta(days=_DAY_WORDS[m[1]])
        return _kst(day.year, day.month, day.day, int(m[2]), int(m[3]), _num(m[4]))
    if m := _RE_FULL_DATE.match(value):
        return _kst(int(m[1]), int(m[2]), int(m[3]), _num(m[4]), _num(m[5]), _num(m[6]))
    if m := _RE_SHORT_YEAR.match(value):
        return _kst(2000 + int(m[1]), int(m[2]), int(m[3]), _num(m[4]), _num(m[5]), _num(m[6]))
    if m := _RE_MONTH_DAY.match(value):
        result = _kst(now.year, int(m[1]), int(m[2]), _num(m[3]), _num(m[4]), _num(m[5]))
        if result > now + timedelta(days=1):
            result = _kst(now.year - 1, int(m[1]), int(m[2]), _num(m[3]), _num(m[4]), _num(m[5]))
        return result
    return _parse_standard(value)


def _parse_standard(value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        try:
            parsed = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            raise TimeParseError(f"unknown time form: {value!r}") from None
        if parsed is None:
            raise TimeParseError(f"unknown time form: {value!r}")
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=KST)


def to_iso(moment: datetime | None) -> str | None:
    """A UTC ISO string with a trailing Z, the form every timestamp in a crawl file has."""
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def parse_kst_optional(text: str | None, now: datetime) -> datetime | None:
    """`parse_kst` of a time a page may not show: no text (None or empty) is no time."""
    return parse_kst(text, now) if text else None


def parse_kst_iso(text: str | None, now: datetime) -> str | None:
    """`parse_kst` as the ISO string of a crawl file; None stays None."""
    return None if text is None else to_iso(parse_kst(text, now))
