"""Normalisation and the rules stage (B4) on hand-written posts."""

from __future__ import annotations

from datetime import datetime

import pytest
from dag_ss.lib.dictionary import Dictionary
from dag_ss.lib.dictionary_seed import CARRIERS, MODELS
from dag_ss.lib.normalize import capacity_of, normalize_post
from dag_ss.lib.prices import amount, extract_prices
from dag_ss.lib.rules import extract_rules, split_scenarios
from hypothesis import given
from hypothesis import strategies as st

DICTIONARY = Dictionary(carriers=CARRIERS, models=MODELS)
THRESHOLDS = {"advertorial_high": 0.7, "deal_low_score": 0.5}


def _post(title, content="", comments=(), author="글쓴이", posted="2025-11-19T16:30:00+00:00"):
    return {
        "post_id": "1",
        "url": "https://www.ppomppu.co.kr/zboard/view.php?id=phone&no=1",
        "title": title,
        "author": author,
        "content": content,
        "comments": [{"author": a, "content": c, "replies": []} for a, c in comments],
        "posted_at": datetime.fromisoformat(posted),
    }


def test_only_the_authors_comments_join_the_text():
    row = normalize_post(_post("KT 번이", "본문", [("글쓴이", "부산 매장"), ("남", "서울 어디요?")]), 0.7)
    assert row["text"] == "KT 번이\n본문\n부산 매장"
    assert (row["op_comments"], row["other_comments"], row["city"], row["channel"]) == (
        1,
        1,
        "부산",
        "오프라인",
    )


def test_posting_day_is_the_korean_date():
    assert normalize_post(_post("x"), 0.7)["source_posted_at"].isoformat() == "2025-11-20"


@pytest.mark.parametrize(
    ("text", "field", "value"),
    [
        ("skt 번이 현완 10만", "move_type", "번호이동"),
        ("kt 기변 할부", "move_type", "기기변경"),
        ("공시 지원 받고", "contract", "공시지원"),
        ("선택약정 24개월", "contract", "선택약정"),
        ("현금완납 50만", "payment", "현금완납"),
        ("쿠팡 주문", "channel", "온라인"),
        ("성지 방문", "channel", "오프라인"),
        ("그냥 글", "channel", "unknown"),
    ],
)
def test_rule_fields(text, field, value):
    assert normalize_post(_post(text), 0.7)[field] == value


def test_a_question_without_a_price_is_not_a_deal():
    row = normalize_post(_post("아이폰 지금 살지 기다릴지 고민입니다"), 0.7)
    assert (row["intent"], row["deal_candidate"], row["nondeal_reason"]) == ("question", False, "question")


def test_a_priced_post_with_terms_scores_high():
    row = normalize_post(_post("SKT 번이 현완 45만 109요금제 6개월 부가 2개"), 0.7)
    assert row["intent"] == "deal" and row["deal_candidate"]
    assert row["deal_candidate_score"] == pytest.approx(0.5 + 3 * 0.15)


def test_an_advertorial_is_recognised():
    row = normalize_post(_post("카톡 문의 네이버 카페 가입 링크 상담 현완 10만"), 0.7)
    assert row["intent"] == "advertorial" and not row["deal_candidate"]


@pytest.mark.parametrize(
    ("text", "capacity"),
    [
        ("256gb", "256GB"),
        ("512기가", "512GB"),
        ("1tb", "1TB"),
        ("1024g", "1TB"),
        ("2테라", "2TB"),
        ("128 화이트", "128GB"),
        ("1280원", None),
    ],
)
def test_capacity_forms(text, capacity):
    assert capacity_of(text) == capacity


def test_two_offers_give_two_rows_with_their_own_model_and_price():
    post = normalize_post(_post("비교", "1안: SKT 번이 S25 현완 20만\n2안: SKT 번이 S25+ 현완 35만"), 0.7)
    rows = extract_rules(post, DICTIONARY, THRESHOLDS)
    assert [(r["deal"]["model"], r["deal"]["upfront"]) for r in rows] == [
        ("갤럭시 S25", 200_000),
        ("갤럭시 S25+", 350_000),
    ]
    assert split_scenarios("a\n두번째 b") == ["a\n", "두번째 b"]


def test_a_model_that_implies_its_carrier_passes_the_prefilter_with_a_flag():
    rows = extract_rules(normalize_post(_post("퀀텀6 기변 현완 5만"), 0.7), DICTIONARY, THRESHOLDS)
    assert rows[0]["prefilter_passed"] and rows[0]["deal"]["carrier"] == "SKT"
    assert "carrier_auto_SKT" in rows[0]["flags"]


def test_unlocked_phones_are_recorded_as_mvno():
    rows = extract_rules(normalize_post(_post("자급제 아이폰16 현완 115만"), 0.7), DICTIONARY, THRESHOLDS)
    assert rows[0]["deal"]["carrier"] == "MVNO"


def test_a_post_without_a_carrier_is_kept_with_its_reason():
    rows = extract_rules(normalize_post(_post("아이폰16 케이스 추천"), 0.7), DICTIONARY, THRESHOLDS)
    assert rows == [rows[0]] and rows[0]["filtered_reason"] == "no_carrier" and rows[0]["deal"] is None


def test_more_than_three_addons_on_kt_is_suspicious():
    rows = extract_rules(
        normalize_post(_post("KT 번이 아이폰16 현완 10만 부가 5개"), 0.7), DICTIONARY, THRESHOLDS
    )
    assert "addons_count_suspicious" in rows[0]["flags"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("현완 45만 109요금제 6개월", {"upfront": 450_000, "plan_high_fee": 109_000, "plan_high_months": 6}),
        (
            "8.9만 요금제 183일 페이백 10만",
            {"plan_high_fee": 89_000, "plan_high_months": 6, "support_cash": 100_000},
        ),
        (
            "할부원금 1,200,000원 요금제 69000원 4개월",
            {"device_finance_total": 1_200_000, "plan_high_fee": 69_000, "plan_high_months": 4},
        ),
        ("33요금제 24개월 0원 현완", {"upfront": 0, "plan_high_fee": 33_000, "plan_high_months": 24}),
        ("부가 9900원 3개월", {"addons_monthly": 9_900, "addons_months": 3}),
    ],
)
def test_price_terms_as_the_board_writes_them(text, expected):
    assert extract_prices(text) == expected


def test_a_bare_small_number_is_not_money():
    assert (
        amount("45", None) is None
        and amount("45", "만") == 450_000
        and amount("33", None, bare_thousands=True) == 33_000
    )


@given(
    st.text(
        alphabet=st.sampled_from(list("0123456789.,만원천k 현완요금제개월일페이백부가할원 ")), max_size=80
    )
)
def test_price_extraction_never_raises_and_gives_non_negative_integers(text):
    for value in extract_prices(text).values():
        assert isinstance(value, int) and value >= 0


@given(st.text(max_size=200), st.text(max_size=50))
def test_normalising_any_text_never_raises(content, title):
    row = normalize_post(_post(title, content), 0.7)
    assert 0.0 <= row["deal_candidate_score"] <= 1.0
    extract_rules(row, DICTIONARY, THRESHOLDS)
