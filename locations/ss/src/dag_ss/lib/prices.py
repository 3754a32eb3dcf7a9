"""Money and duration terms written the way the board writes them (`현완 45만`, `109요금제 6개월`).

The rules-only extraction (the local default, and what the LLM's answer is merged over) reads
these with regular expressions. Amounts are won; `N만` is N×10,000, `33요금제` is a 33,000 plan,
days become months at 30 days a month.
"""

from __future__ import annotations

import re

_AMOUNT = r"(\d+(?:\.\d+)?)\s*(만\s*원?|천\s*원?|원|k)?"
_UPFRONT = re.compile(rf"(?:현완|현금완납|현금완|기기값)\s*[:=]?\s*{_AMOUNT}")
_FINANCE = re.compile(rf"(?:할부원금|할원)\s*[:=]?\s*{_AMOUNT}")
_UPFRONT_AFTER = re.compile(rf"(?<![\d.]){_AMOUNT}\s*(?:현완|현금완납)")
_PLAN = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)\s*(만\s*원?|천\s*원?|원|k)?\s*(?:요금제|욕)")
_PLAN_AFTER_WORD = re.compile(r"(?:요금제|욕)\s*[:=]?\s*(\d{4,6})\s*원?")
_MONTHS = re.compile(r"(?<!\d)(\d{1,3})\s*(개월|달|일)")
_SUPPORT = re.compile(rf"(?:페이백|차비|캐시백|지원금)\s*[:=]?\s*{_AMOUNT}")
_ADDONS_COUNT = re.compile(r"부가\s*(?:서비스)?\s*(\d{1,2})\s*개")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
MAX_PLAN_FEE = 200_000
_ADDONS_FEE = re.compile(rf"부가\s*(?:서비스)?\s*(?:월\s*)?{_AMOUNT}")


def amount(number: str, unit: str | None, bare_thousands: bool = False) -> int | None:
    """Won from a number and its unit; `bare_thousands` reads a small bare number as thousands."""
    try:
        value = float(number)
    except ValueError:
        return None
    unit = (unit or "").replace(" ", "")
    if unit.startswith("만"):
        value *= 10_000
    elif unit.startswith("천") or unit == "k" or (not unit and bare_thousands and value < 1_000):
        value *= 1_000
    elif not unit and value < 1_000 and value != 0:
        return None  # a bare small number is not money
    return round(value)


def _months(text: str) -> int | None:
    match = _MONTHS.search(text)
    if not match:
        return None
    count = int(match.group(1))
    return round(count / 30) if match.group(2) == "일" else count


def extract_prices(text: str) -> dict[str, int | None]:
    """Upfront, plan, support and add-on terms found in one (casefolded) segment of a post."""
    text = _THOUSANDS.sub("", text)
    found: dict[str, int | None] = {}
    upfront = _UPFRONT.search(text) or _UPFRONT_AFTER.search(text)
    if upfront:
        found["upfront"] = amount(upfront.group(1), upfront.group(2), bare_thousands=False)
    finance = _FINANCE.search(text)
    if finance:
        found["device_finance_total"] = amount(finance.group(1), finance.group(2))
    for match in _PLAN.finditer(text):
        fee = amount(match.group(1), match.group(2), bare_thousands=True)
        if fee and fee <= MAX_PLAN_FEE:
            found["plan_high_fee"] = fee
            found["plan_high_months"] = _months(text[match.end() :]) or _months(text)
            break
    else:
        plan_word = _PLAN_AFTER_WORD.search(text)
        if plan_word and int(plan_word.group(1)) <= MAX_PLAN_FEE:
            found["plan_high_fee"] = int(plan_word.group(1))
            found["plan_high_months"] = _months(text[plan_word.end() :]) or _months(text)
    support = _SUPPORT.search(text)
    if support:
        found["support_cash"] = amount(support.group(1), support.group(2))
    count = _ADDONS_COUNT.search(text)
    if count:
        found["addons_count"] = int(count.group(1))
    else:
        fee = _ADDONS_FEE.search(text)
        if fee and fee.group(2):
            found["addons_monthly"] = amount(fee.group(1), fee.group(2), bare_thousands=True)
            found["addons_months"] = _months(text[fee.end() :])
    return {key: value for key, value in found.items() if value is not None}
