"""Rules extraction (B4): dictionary prefilter, scenario split and one deal row per scenario.

Each normalised post gives at least one row. A post where the dictionary finds no carrier or no
model gets one row marked `prefilter_passed=False` with its reason, so every post is accounted
for. A post describing two offers (`2안 …`, `두번째 …`) gives one row per offer.
"""

from __future__ import annotations

import re
from itertools import pairwise
from typing import Any

from dag_ss.lib import vocabulary as v
from dag_ss.lib.dictionary import Dictionary
from dag_ss.lib.dictionary_seed import CARRIER_REPLACEMENTS, SPECIAL_MODEL_TO_CARRIER
from dag_ss.lib.normalize import capacity_of
from dag_ss.lib.prices import extract_prices

UNKNOWN = "미상"
_SCENARIO = re.compile(rf"^\s*(?:{'|'.join(v.SCENARIO_STARTS)})", re.MULTILINE)

# The deal fields (B6): every row carries all of them, None where unknown.
STRING_FIELDS = ("capacity", "move_type", "contract_type", "city", "store")
INTEGER_FIELDS = (
    "upfront", "support_cash", "device_finance_total", "device_finance_months", "device_finance_monthly",
    "plan_high_fee", "plan_high_months", "plan_after_fee", "plan_after_months", "mvno_tail_fee",
    "mvno_tail_months", "addons_monthly", "addons_months", "retention_line_months",
    "retention_plan_months", "retention_addons_months", "contract_months", "contract_support_amount",
)  # fmt: skip
DEAL_FIELDS = (
    "model",
    "carrier",
    *STRING_FIELDS,
    *INTEGER_FIELDS,
    "contract_extra_support",
    "channel",
    "addons_detail",
)


def split_scenarios(text: str) -> list[str]:
    """The text cut before every line that starts a further offer."""
    starts = [m.start() for m in _SCENARIO.finditer(text) if m.start() > 0]
    bounds = [0, *starts, len(text)]
    return [text[a:b] for a, b in pairwise(bounds) if text[a:b].strip()] or [text]


def normalize_carrier(carrier: str | None) -> str | None:
    if carrier is None:
        return None
    return CARRIER_REPLACEMENTS.get(carrier, carrier)


def _carrier_for(dictionary: Dictionary, text: str, model: str | None) -> tuple[str | None, bool, list[str]]:
    """(carrier, implied by the model, every carrier named)."""
    named = dictionary.carrier_matcher.names_in(text)
    if named:
        return named[0], False, named
    if model in SPECIAL_MODEL_TO_CARRIER:
        return SPECIAL_MODEL_TO_CARRIER[model], True, []
    return None, False, []


def _flags(row: dict[str, Any], post: dict[str, Any], thresholds: dict[str, float]) -> list[str]:
    flags = []
    if not post["deal_candidate"]:
        flags += ["non_deal", f"intent_{post['intent']}"]
    if post["advertorial_score"] > thresholds["advertorial_high"]:
        flags.append("advertorial_high")
        if post["deal_candidate_score"] < thresholds["deal_low_score"]:
            flags.append("preblock_advertorial_low_deal_score")
    if (row.get("addons_count") or 0) > 3 and row["carrier"] in ("KT", "LGU+"):
        flags.append("addons_count_suspicious")
    return flags


def extract_rules(
    post: dict[str, Any], dictionary: Dictionary, thresholds: dict[str, float]
) -> list[dict[str, Any]]:
    """The rule rows of one normalised post (see normalize.normalize_post)."""
    text = post["text"].casefold()
    post_models = dictionary.model_matcher.names_in(text)
    post_model = post_models[0] if post_models else None
    post_carrier, _, _ = _carrier_for(dictionary, text, post_model)
    base = {
        "post_id": post["post_id"],
        "url": post["url"],
        "source_posted_at": post["source_posted_at"],
        "intent": post["intent"],
        "deal_candidate": post["deal_candidate"],
        "deal_candidate_score": post["deal_candidate_score"],
        "advertorial_score": post["advertorial_score"],
    }
    missing = [what for what, value in (("carrier", post_carrier), ("model", post_model)) if value is None]
    if missing:
        return [
            {
                **base,
                "segment": 0,
                "prefilter_passed": False,
                "filtered_reason": "no_" + "_no_".join(missing),
                "deal": None,
                "flags": [],
            }
        ]
    rows = []
    for index, segment in enumerate(split_scenarios(text)):
        models = dictionary.model_matcher.names_in(segment)
        model = models[0] if models else post_model
        carrier, implied, carriers = _carrier_for(dictionary, segment, model)
        carrier = carrier or post_carrier
        deal: dict[str, Any] = {field: None for field in DEAL_FIELDS}
        deal.update(extract_prices(segment))
        deal.update(
            model=model or UNKNOWN,
            carrier=normalize_carrier(carrier),
            capacity=capacity_of(segment) or post["capacity"],
            move_type=post["move_type"],
            contract_type=post["contract"],
            contract=post["contract"],
            payment=post["payment"],
            channel=post["channel"],
            city=post["city"],
        )
        if post["move_type"] == "자급" or carrier == "자급제":
            deal["carrier"] = "MVNO"
        if deal.get("upfront") is None and any(
            deal.get(k) is not None for k in ("plan_high_fee", "device_finance_total")
        ):
            deal["upfront"] = 0
        row = {**base, "segment": index, "prefilter_passed": True, "filtered_reason": None, "deal": deal}
        flags = _flags(deal, post, thresholds)
        if implied:
            flags.append(f"carrier_auto_{carrier}")
        if len(models) > 1:
            flags.append("dict_conflict_model")
        if len({normalize_carrier(c) for c in carriers}) > 1:
            flags.append("dict_conflict_carrier")
        row["flags"] = flags
        rows.append(row)
    return rows
