"""Board times in every form the four boards print become the right UTC instant."""

from datetime import UTC, datetime

import pytest

pytest.importorskip("selectolax", reason="the crawler extra is installed in the is and ss environments")

from dag_shared.crawler.timeparse import KST, TimeParseError, parse_kst, to_iso
from hypothesis import given
from hypothesis import strategies as st

NOW = datetime(2026, 11, 29, 15, 0, tzinfo=KST)  # 06:00 UTC


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("방금 전", "2026-11-29T06:00:00Z"),
        ("방금", "2026-11-29T06:00:00Z"),
        ("30초 전", "2026-11-29T05:59:30Z"),
        ("5분 전", "2026-11-29T05:55:00Z"),
        ("3시간 전", "2026-11-29T03:00:00Z"),
        ("2일 전", "2026-11-27T06:00:00Z"),
        ("7", "2026-11-29T05:53:00Z"),
        ("14:31", "2026-11-29T05:31:00Z"),
        ("14:31:02", "2026-11-29T05:31:02Z"),
        ("23:50", "2026-11-28T14:50:00Z"),
        ("오늘 09:05", "2026-11-29T00:05:00Z"),
        ("어제 23:10", "2026-11-28T14:10:00Z"),
        ("그제 12:00", "2026-11-27T03:00:00Z"),
        ("그저께 12:00", "2026-11-27T03:00:00Z"),
        ("11.28 21:00", "2026-11-28T12:00:00Z"),
        ("12-24", "2025-12-23T15:00:00Z"),
        ("2026.11.28", "2026-11-27T15:00:00Z"),
        ("2026.11.28 21:00", "2026-11-28T12:00:00Z"),
        ("2026-11-28 21:00:59", "2026-11-28T12:00:59Z"),
        ("2026/11/28 21:00", "2026-11-28T12:00:00Z"),
        ("26.11.28", "2026-11-27T15:00:00Z"),
        ("26/11/28", "2026-11-27T15:00:00Z"),
        ("26.11.28 21:00:01", "2026-11-28T12:00:01Z"),
        ("2026-11-28T21:00:00+09:00", "2026-11-28T12:00:00Z"),
        ("2026-11-28T12:00:00Z", "2026-11-28T12:00:00Z"),
        ("2026-11-28T21:00:00", "2026-11-28T12:00:00Z"),
        ("Sat, 28 Nov 2026 12:00:00 +0000", "2026-11-28T12:00:00Z"),
        ("  2026.11.28\xa0 21:00 ", "2026-11-28T12:00:00Z"),
    ],
)
def test_every_board_time_form_is_read_as_kst_and_written_as_utc(text, expected):
    assert to_iso(parse_kst(text, NOW)) == expected


def test_a_month_day_date_later_than_now_belongs_to_last_year():
    assert parse_kst("12.30 10:00", NOW).year == 2025
    assert parse_kst("11.29 10:00", NOW).year == 2026


@pytest.mark.parametrize("text", ["", "   ", "어제", "13월 5일", "2026.13.01", "25:61", "yesterday", "12.32"])
def test_text_that_is_no_time_raises_time_parse_error(text):
    with pytest.raises(TimeParseError):
        parse_kst(text, NOW)


def test_a_naive_now_is_refused():
    with pytest.raises(TimeParseError):
        parse_kst("5분 전", datetime(2026, 11, 29, 15, 0))


@given(st.text(max_size=40))
def test_any_text_gives_an_aware_utc_time_or_time_parse_error(text):
    try:
        result = parse_kst(text, NOW)
    except TimeParseError:
        return
    assert result.tzinfo is not None
    assert result.utcoffset() == UTC.utcoffset(None)


@given(
    st.from_regex(
        r"\A(\d{1,6}\s*(초|분|시간|일)\s*전|\d{1,2}:\d{2}(:\d{2})?|\d{2,4}[./-]\d{1,2}[./-]\d{1,2}( \d{1,2}:\d{2})?)\Z"
    )
)
def test_numbers_of_any_size_in_board_forms_never_raise_anything_else(text):
    try:
        parse_kst(text, NOW)
    except TimeParseError:
        pass
