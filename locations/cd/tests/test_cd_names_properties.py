"""Property-based tests (Hypothesis) of the name rules and search-name spellings.

What holds, precisely:
- every function is total: any string (arbitrary text, or a realistic KRX name) gives a string;
- Hangul → keys → Hangul is exact for strings of complete syllables mixed with characters that are
  neither Latin letters nor jamo (digits, spaces, `&`, `-`, `.`, parentheses);
- keys → Hangul → keys is exact for any string of keys, once capitals other than the shifted
  QWERTOP are read as lower case (the keyboard types them so);
- for any sequence of keyboard jamo and syllables, re-typing the keys of the result gives the same
  result (idempotence) and the same keys: a jamo sequence an input method would not produce (ㅗ then
  ㅏ typed apart) comes back as the one it does produce (ㅘ), never as an error.
"""

from __future__ import annotations

import string

from dag_cd.lib.names import (
    base_name,
    company_name,
    eng2kor,
    has_hangul,
    has_latin,
    keyboard2kor,
    kor2keyboard,
    security_type,
)
from dag_cd.lib.search_names import SPELLINGS
from hypothesis import given, settings
from hypothesis import strategies as st

CHECK = settings(max_examples=300, database=None, deadline=None)
SINGLE_KEY_JAMO = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎㅏㅐㅑㅒㅓㅔㅕㅖㅗㅛㅜㅠㅡㅣ"
TWO_KEY_JAMO = "ㅘㅙㅚㅝㅞㅟㅢㄳㄵㄶㄺㄻㄼㄽㄾㄿㅀㅄ"
SHIFTED_KEYS = "QWERTOP"
SEPARATORS = " 0123456789&-.()/"

syllables = st.characters(min_codepoint=0xAC00, max_codepoint=0xD7A3)
separators = st.sampled_from(SEPARATORS)
jamo = st.sampled_from(SINGLE_KEY_JAMO + TWO_KEY_JAMO)


@st.composite
def krx_names(draw) -> str:
    """Names shaped like a real KRX list: Hangul, Latin acronyms of every letter, digits, ETF/ETN
    names, preferred-share suffixes, spaces and the symbols KRX names use."""
    common = st.sampled_from(
        ["삼성", "전자", "금융", "지주", "솔루션", "홀딩스", "바이오", "미국", "인버스", "선물"]
    )
    hangul = st.lists(st.one_of(common, syllables), min_size=1, max_size=4).map("".join)
    acronym = st.text(string.ascii_uppercase, min_size=1, max_size=5)
    word = st.text(string.ascii_letters, min_size=2, max_size=8)  # Oil, Ent, ELECTRIC
    digits = st.integers(0, 9999).map(str)
    company = st.one_of(
        hangul,
        acronym,
        st.tuples(acronym, hangul).map("".join),  # SK하이닉스
        st.tuples(acronym, st.just(" "), acronym).map("".join),  # CJ ENM
        st.tuples(acronym, st.sampled_from("&-"), st.one_of(acronym, word)).map("".join),  # F&F, S-Oil
        st.tuples(acronym, st.just(" "), word, st.just(".")).map("".join),  # JYP Ent.
        st.tuples(acronym, digits).map("".join),  # E1
    )
    brand = st.sampled_from(["KODEX", "TIGER", "KBSTAR", "ARIRANG", "HANARO", "ACE", "SOL", "RISE"])
    etf = st.tuples(
        brand,
        st.just(" "),
        st.one_of(digits, hangul),
        st.one_of(st.just(""), acronym),
        st.sampled_from(["", "&", "S&P", "(H)"]),
        st.one_of(st.just(""), digits),
    ).map("".join)
    etn = st.tuples(hangul, st.just(" "), hangul, st.just(" "), acronym, hangul, st.just(" ETN")).map("".join)
    suffix = st.sampled_from(
        ["", "", "우", "2우B", "3우C", "1우", " 우", "우(전환)", "(전환)", "스팩29호", "리츠"]
    )
    return draw(st.one_of(company, etf, etn)) + draw(suffix)


def _all_spellings(text: str) -> list[str]:
    out = [
        eng2kor(text),
        kor2keyboard(text),
        keyboard2kor(text),
        base_name(text),
        company_name(text, "우선주"),
        security_type(text, {base_name(text)}),
        str(has_latin(text)),
        str(has_hangul(text)),
    ]
    for _, applies, spell in SPELLINGS.values():
        if applies(text):
            out.append(spell(text))
    return out


@CHECK
@given(st.text())
def test_no_text_makes_a_name_function_raise(text):
    assert all(isinstance(s, str) for s in _all_spellings(text))


@CHECK
@given(krx_names())
def test_no_realistic_krx_name_makes_a_name_function_raise(name):
    assert all(isinstance(s, str) for s in _all_spellings(name))


@CHECK
@given(krx_names())
def test_the_search_spellings_of_a_krx_name_leave_no_latin_letter_or_no_hangul_syllable_behind(name):
    assert not has_latin(eng2kor(name))
    assert not has_hangul(kor2keyboard(name))
    assert not any(ch in string.ascii_letters for ch in keyboard2kor(name.lower()))


@CHECK
@given(st.lists(st.one_of(syllables, syllables, separators)).map("".join))
def test_hangul_syllables_come_back_exactly_from_their_keys(text):
    assert keyboard2kor(kor2keyboard(text)) == text


@CHECK
@given(st.text(string.ascii_letters + SEPARATORS))
def test_any_keys_come_back_exactly_from_the_hangul_they_type(keys):
    typed = "".join(ch if ch in SHIFTED_KEYS else ch.lower() for ch in keys)
    assert kor2keyboard(keyboard2kor(keys)) == typed


@CHECK
@given(st.lists(st.one_of(jamo, syllables, separators)).map("".join))
def test_retyping_the_keys_of_any_jamo_sequence_gives_the_same_hangul_and_keys(text):
    keys = kor2keyboard(text)
    typed = keyboard2kor(keys)
    assert kor2keyboard(typed) == keys
    assert keyboard2kor(kor2keyboard(typed)) == typed


@CHECK
@given(st.text())
def test_eng2kor_spells_only_ascii_letters_and_ampersands_and_is_idempotent(text):
    spelled = [eng2kor(ch) for ch in text]
    assert eng2kor(text) == "".join(spelled)
    for ch, out in zip(text, spelled):
        if ch == "&" or ch in string.ascii_letters:
            assert has_hangul(out) and not has_latin(out)
        else:
            assert out == ch
    assert eng2kor(eng2kor(text)) == eng2kor(text)
