"""TCO arithmetic, deal_hash and every gating reason (B7.2)."""

from __future__ import annotations

import pytest
from dag_ss.lib.deals import GATE_REASONS, deal_hash, deal_record, gate, tco


def _deal(**terms):
    base = {
        "model": "아이폰 16",
        "carrier": "SKT",
        "upfront": 450_000,
        "plan_high_fee": 109_000,
        "plan_high_months": 6,
    }
    return {**base, **terms}


def test_tco_of_upfront_plus_six_months_of_a_high_plan():
    assert tco(_deal()) == (450_000 + 654_000, 1_104_000)


def test_tco_adds_every_term_and_nets_the_cash_received():
    deal = _deal(
        plan_after_fee=33_000, plan_after_months=18, mvno_tail_fee=11_000, mvno_tail_months=12,
        addons_monthly=9_900, addons_months=3, device_finance_total=200_000, support_cash=100_000,
    )  # fmt: skip
    total = 450_000 + 109_000 * 6 + 33_000 * 18 + 11_000 * 12 + 9_900 * 3 + 200_000
    assert tco(deal) == (total, total - 100_000)
    assert total == 2_059_700


def test_a_fee_without_its_months_adds_nothing_and_no_known_term_gives_no_tco():
    assert tco(_deal(upfront=None, plan_high_months=None)) == (None, None)
    assert tco({"upfront": 0}) == (0, 0)


def test_the_hash_changes_with_the_price_and_not_with_the_city():
    assert deal_hash(_deal()) != deal_hash(_deal(upfront=440_000))
    assert deal_hash(_deal()) == deal_hash(_deal(city="서울"))


@pytest.mark.parametrize(
    ("deal", "flags", "reason"),
    [
        (_deal(carrier="세븐모바일"), [], "invalid_carrier"),
        (_deal(carrier=None), [], "invalid_carrier"),
        (_deal(), ["non_deal", "intent_question"], "non_deal"),
        (
            _deal(),
            ["advertorial_high", "preblock_advertorial_low_deal_score"],
            "advertorial_high_low_deal_score",
        ),
        (_deal(), ["advertorial_high"], "advertorial_high"),
        (_deal(model="미상"), [], "unknown_model"),
        (_deal(upfront=None, plan_high_fee=None), [], "no_price"),
        (_deal(carrier="자급제"), [], None),
        (_deal(), [], None),
    ],
)
def test_each_gating_reason(deal, flags, reason):
    assert gate(deal, flags) == reason


def test_every_reason_is_documented():
    assert set(GATE_REASONS) == {
        "invalid_carrier", "non_deal", "advertorial_high_low_deal_score", "advertorial_high", "unknown_model", "no_price",
    }  # fmt: skip


def test_a_deal_record_carries_tco_and_the_normalised_carrier():
    row = {
        "post_id": "1",
        "url": "u",
        "source_posted_at": None,
        "advertorial_score": 0.0,
        "flags": [],
        "deal": _deal(carrier="자급제"),
    }
    record = deal_record(row, "rules")
    assert (record["carrier"], record["tco_total"], record["extraction"]) == ("MVNO", 1_104_000, "rules")
