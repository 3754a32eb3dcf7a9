"""Deals (B7.2): gating into good rows and quarantine, `deal_hash` and total cost of ownership.

Pure functions over extracted rows; the SQL that stores them is in `warehouse.py`.
"""

from __future__ import annotations

import hashlib
from typing import Any

from dag_ss.lib.dictionary_seed import DEAL_CARRIERS
from dag_ss.lib.rules import UNKNOWN, normalize_carrier

HASH_FIELDS = (
    "post_id", "url", "model", "carrier", "move_type", "contract", "payment", "upfront",
    "plan_high_fee", "plan_high_months", "support_cash", "capacity", "device_finance_total",
)  # fmt: skip

# Why a row that passed the dictionary prefilter is not a deal, in the order they are tested.
GATE_REASONS = (
    "invalid_carrier",
    "non_deal",
    "advertorial_high_low_deal_score",
    "advertorial_high",
    "unknown_model",
    "no_price",
)


def _product(a: int | None, b: int | None) -> int | None:
    return a * b if a is not None and b is not None else None


def tco(deal: dict[str, Any]) -> tuple[int | None, int | None]:
    """(tco_total, tco_net): everything paid over the contract, then minus the cash received.

    tco_total = upfront + plan_high_fee·plan_high_months + plan_after_fee·plan_after_months
              + mvno_tail_fee·mvno_tail_months + addons_monthly·addons_months + device_finance_total.
    None when no term of the sum is known.
    """
    terms = [
        deal.get("upfront"),
        _product(deal.get("plan_high_fee"), deal.get("plan_high_months")),
        _product(deal.get("plan_after_fee"), deal.get("plan_after_months")),
        _product(deal.get("mvno_tail_fee"), deal.get("mvno_tail_months")),
        _product(deal.get("addons_monthly"), deal.get("addons_months")),
        deal.get("device_finance_total"),
    ]
    known = [term for term in terms if term is not None]
    if not known:
        return None, None
    total = sum(known)
    return total, total - (deal.get("support_cash") or 0)


def deal_hash(deal: dict[str, Any]) -> str:
    joined = "|".join("" if deal.get(field) is None else str(deal[field]) for field in HASH_FIELDS)
    return hashlib.md5(joined.encode("utf-8")).hexdigest()


def gate(deal: dict[str, Any], flags: list[str]) -> str | None:
    """The quarantine reason of a prefiltered row, or None when it is a deal."""
    if normalize_carrier(deal.get("carrier")) not in DEAL_CARRIERS:
        return "invalid_carrier"
    if "non_deal" in flags:
        return "non_deal"
    if "preblock_advertorial_low_deal_score" in flags:
        return "advertorial_high_low_deal_score"
    if "advertorial_high" in flags:
        return "advertorial_high"
    if not deal.get("model") or deal["model"] == UNKNOWN:
        return "unknown_model"
    if tco(deal)[0] is None:
        return "no_price"
    return None


def deal_record(row: dict[str, Any], extraction: str) -> dict[str, Any]:
    """The `deals` row of a good extracted row."""
    deal = dict(row["deal"])
    deal["carrier"] = normalize_carrier(deal["carrier"])
    record = {
        **deal,
        "post_id": row["post_id"],
        "url": row["url"],
        "source_posted_at": row["source_posted_at"],
    }
    record["upfront"] = record.get("upfront") or 0
    record["tco_total"], record["tco_net"] = tco(deal)
    record["advertorial_score"] = row["advertorial_score"]
    record["flags"] = row["flags"]
    record["extraction"] = extraction
    record["deal_hash"] = deal_hash(record)
    return record
