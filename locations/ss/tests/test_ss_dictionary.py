"""Dictionary keys and matching: token boundaries, the legacy false positives, jamo aliases."""

from __future__ import annotations

import functools
import re

import pytest
from dag_ss.lib.dictionary import seed_rows
from dag_ss.lib.dictionary_seed import CARRIERS, MODELS
from dag_ss.lib.keys import EmptyKeyError, key_a, key_b, term_key
from dag_ss.lib.matcher import TermMatcher
from hypothesis import given, settings
from hypothesis import strategies as st

carriers = TermMatcher(CARRIERS)
models = TermMatcher(MODELS)


def test_keys_fold_width_case_and_punctuation():
    assert key_a("ＳＫＴ/번이!!  아이폰16 Pro-Max") == "skt 번이 아이폰16 pro max"
    assert key_b("LG U+") == "lgu+"


@pytest.mark.parametrize(
    "text",
    [
        "마스크 쓰고 매장 갔어요",
        "스크린 깨졌어요",
        "skin care 제품",
        "gs25 편의점 택배",
        "desk 위에 둔 폰",
        "blog 링크",
    ],
)
def test_legacy_substring_false_positives_do_not_match_a_carrier(text):
    assert carriers.names_in(text) == []


def test_kt_is_not_found_inside_skt():
    assert carriers.names_in("skt 번이 했어요") == ["SKT"]


def test_a_carrier_followed_by_a_particle_still_matches():
    assert carriers.names_in("스크로 번이") == ["SKT"]
    assert carriers.names_in("KT에서 기변") == ["KT"]


def test_compatibility_jamo_aliases_are_kept_and_match():
    assert key_b("ㅅㅋ") == "ㅅㅋ"
    assert carriers.names_in("ㅋㅌ 기변 했습니다") == ["KT"]
    assert "ㅅㅋ" in seed_rows(CARRIERS)[0].aliases_keyb


def test_an_alias_that_normalises_to_nothing_is_rejected():
    with pytest.raises(EmptyKeyError, match="'!!'"):
        term_key("!!")
    with pytest.raises(EmptyKeyError):
        TermMatcher({"X": ["--"]})


def test_two_names_sharing_an_alias_key_are_rejected():
    with pytest.raises(ValueError, match="same key"):
        TermMatcher({"A": ["폰1"], "B": ["폰 1"]})


def test_spacing_inside_a_model_name_does_not_matter_and_the_longest_alias_wins():
    assert models.names_in("아이폰16 프로 맥스 256") == ["아이폰 16 프로 맥스"]
    assert models.names_in("아이폰 16프맥") == ["아이폰 16 프로 맥스"]
    assert models.names_in("갤s25u 512") == ["갤럭시 S25 울트라"]
    # As in the legacy rule, the "first" model is the one named by the longest alias, not the earliest.
    assert models.names_in("폴7이랑 플립7 고민") == ["갤럭시 Z 플립 7", "갤럭시 Z 폴드 7"]


def test_the_seed_has_the_specs_five_carriers_and_thirty_seven_models():
    assert list(CARRIERS) == ["SKT", "KT", "LGU+", "MVNO", "자급제"]
    assert len(MODELS) == 37
    for row in seed_rows(MODELS):
        assert row.aliases[0] == row.name and len(set(row.aliases_keyb)) == len(row.aliases_keyb)


@given(st.text())
def test_keys_never_raise_and_are_stable(text):
    once = key_a(text)
    assert key_a(once) == once
    assert " " not in key_b(text)


@given(st.text(alphabet=st.sampled_from(list("가나마스크ㅅㅋkts 0123456789+.-아이폰갤럭시")), max_size=60))
def test_matching_never_raises_and_every_hit_is_a_known_name(text):
    for name in carriers.names_in(text):
        assert name in CARRIERS
    for name in models.names_in(text):
        assert name in MODELS


@functools.cache
def _reference(kind: str):
    """The rule as one regex over Key-A (aliases longest first), and the name of each group."""
    from dag_ss.lib.matcher import term_regex

    terms = CARRIERS if kind == "carriers" else MODELS
    owners = {term_key(a): name for name, aliases in terms.items() for a in [name, *aliases]}
    keys = sorted(owners, key=lambda k: (-len(k), k))
    return re.compile("|".join(f"({term_regex(k)})" for k in keys)), [owners[k] for k in keys]


def _reference_names(kind, text):
    regex, names = _reference(kind)
    return [names[m.lastindex - 1] for m in regex.finditer(key_a(text))]


@settings(deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list("가마스크로이ㅅㅋktsl gu+0123456789아폰갤럭시플립폴드7에서")),
        max_size=40,
    )
)
def test_the_fast_matcher_agrees_with_the_one_regex_reference(text):
    assert [h.name for h in carriers.hits(text)] == _reference_names("carriers", text)
    assert [h.name for h in models.hits(text)] == _reference_names("models", text)
