"""Name rules: security types, company names, Latin → Hangul letter names, 2-set keyboard keys.

The expected spellings of real KRX names were worked out by hand, key by key, as a 2-set (dubeolsik)
input method types them: a vowel that does not combine with the one before starts a lone vowel
(ㅠ + ㅜ → ㅠㅜ), a consonant that cannot follow stays a lone consonant, and a consonant followed by
a vowel moves on to start the next syllable.
"""

import pytest
from dag_cd.lib.names import (
    company_name,
    eng2kor,
    keyboard2kor,
    kor2keyboard,
    security_type,
)
from dag_cd.lib.search_names import SPELLINGS


@pytest.mark.parametrize(
    ("name", "keys"),
    [
        ("삼성", "tkatjd"),
        ("삼성전자", "tkatjdwjswk"),
        ("카카오뱅크", "zkzkdhqodzm"),
        ("LG에너지솔루션", "LGdpsjwlthffntus"),
        ("완전", "dhkswjs"),
        ("값", "rkqt"),
    ],
)
def test_hangul_names_become_the_keys_typed_on_a_two_set_keyboard(name, keys):
    assert kor2keyboard(name) == keys


@pytest.mark.parametrize(
    ("keys", "hangul"),
    [
        ("tkatjd", "삼성"),
        ("tkatjdwjswk", "삼성전자"),
        ("rkqtdl", "값이"),
        ("ekfrdl", "닭이"),
        ("dhkswjs", "완전"),
    ],
)
def test_keys_typed_in_hangul_mode_are_assembled_back_into_syllables(keys, hangul):
    assert keyboard2kor(keys) == hangul


def test_latin_names_get_the_hangul_their_keys_produce_in_hangul_mode():
    assert keyboard2kor("lg") + "에너지솔루션" == keyboard2kor("lg에너지솔루션") == "ㅣㅎ에너지솔루션"
    assert keyboard2kor("sk") == "나"


@pytest.mark.parametrize(
    ("name", "spelled"),
    [
        ("LG에너지솔루션", "엘지에너지솔루션"),
        ("SK하이닉스", "에스케이하이닉스"),
        ("NAVER", "엔에이브이이알"),
        ("삼성E&A", "삼성이앤에이"),
        ("HDC", "에이치디씨"),
    ],
)
def test_latin_letters_are_spelled_letter_by_letter_as_korean_letter_names(name, spelled):
    assert eng2kor(name) == spelled


def test_a_name_ending_in_u_is_preferred_only_when_its_base_name_is_listed():
    listed = {"삼성전자", "현대차", "CJ", "미래에셋대우"}
    assert security_type("삼성전자우", listed) == "우선주"
    assert security_type("현대차2우B", listed) == "우선주"
    assert security_type("CJ4우(전환)", listed) == "전환우선주"
    assert security_type("미래에셋대우", listed) == "보통주"
    assert company_name("현대차2우B", "우선주") == "현대차"
    assert company_name("CJ4우(전환)", "전환우선주") == "CJ"
    assert company_name("미래에셋대우", "보통주") == "미래에셋대우"


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("엔에이치스팩29호", "스팩"),
        ("하나스팩", "스팩"),
        ("SK리츠", "리츠"),
        ("맥쿼리인프라", "펀드"),
        ("삼성전자", "보통주"),
    ],
)
def test_spacs_reits_and_funds_are_recognised_by_name(name, kind):
    assert security_type(name, {"삼성전자"}) == kind


# name → (eng2kor, kor2keyboard or None when the name has no Hangul, keys typed in Hangul mode)
REAL_NAMES = {
    "BNK금융지주": ("비엔케이금융지주", "BNKrmadbdwlwn", "ㅠㅜㅏ금융지주"),
    "BYC": ("비와이씨", None, "ㅠㅛㅊ"),
    "CJ ENM": ("씨제이 이엔엠", None, "처 두ㅡ"),
    "GKL": ("지케이엘", None, "하ㅣ"),
    "HB솔루션": ("에이치비솔루션", "HBthffntus", "ㅗㅠ솔루션"),
    "KB금융": ("케이비금융", "KBrmadbd", "ㅏㅠ금융"),
    "KODEX 200": ("케이오디이엑스 200", None, "ㅏㅐㅇㄷㅌ 200"),
    "TIGER 미국S&P500": ("티아이지이알 미국에스앤피500", "TIGER alrnrS&P500", "샿ㄷㄱ 미국ㄴ&ㅔ500"),
    "LS ELECTRIC": ("엘에스 이엘이씨티알아이씨", None, "ㅣㄴ 딛ㅊㅅ걏"),
    "JYP Ent.": ("제이와이피 이엔티.", None, "ㅓㅛㅔ 둣."),
    "S-Oil": ("에스-오아이엘", None, "ㄴ-ㅐㅑㅣ"),
    "F&F": ("에프앤에프", None, "ㄹ&ㄹ"),
    "E1": ("이1", None, "ㄷ1"),
    "POSCO홀딩스": ("피오에스씨오홀딩스", "POSCOghfeldtm", "ㅔㅐㄴ채홀딩스"),
    "CJ제일제당": ("씨제이제일제당", "CJwpdlfwpekd", "처제일제당"),
}


def _step_spelling(origin: str, name: str) -> str | None:
    _, applies, spell = SPELLINGS[origin]
    return spell(name) if applies(name) else None


@pytest.mark.parametrize("name", list(REAL_NAMES))
def test_real_krx_names_get_the_spellings_a_two_set_keyboard_types(name):
    letters, keys, hangul_mode = REAL_NAMES[name]
    assert _step_spelling("eng2kor", name) == letters
    assert _step_spelling("keyboard", name) == keys
    assert _step_spelling("keyboard_reverse", name) == hangul_mode


@pytest.mark.parametrize(
    ("keys", "hangul"),
    [("bnk", "ㅠㅜㅏ"), ("byc", "ㅠㅛㅊ"), ("enm", "두ㅡ"), ("gkl", "하ㅣ"), ("hb", "ㅗㅠ"),
     ("hk", "ㅘ"), ("hkl", "ㅘㅣ"), ("rt", "ㄳ"), ("rtk", "ㄱ사"), ("rkrtk", "각사"), ("qqq", "ㅂㅂㅂ"),
     ("fkEk", "라따"), ("rkE", "가ㄸ"), ("dkTek", "았다"), ("", ""), ("200", "200"), ("a-b.c (d)", "ㅁ-ㅠ.ㅊ (ㅇ)")],
)  # fmt: skip
def test_keys_that_do_not_combine_are_typed_as_lone_jamo_or_move_to_the_next_syllable(keys, hangul):
    assert keyboard2kor(keys) == hangul


@pytest.mark.parametrize(
    ("keys", "hangul"),
    [("CJ ENM", "처 뚜ㅡ"), ("KODEX 200", "ㅏㅒㅇㄸㅌ 200"), ("TIGER", "썋ㄸㄲ"), ("QWERTOP", "ㅃㅉㄸㄲ썌ㅖ"),
     ("ASDF", "ㅁㄴㅇㄹ"), ("Rk", "까")],
)  # fmt: skip
def test_shifted_qwerto_keys_type_their_own_jamo_and_other_capitals_count_as_lower_case(keys, hangul):
    assert keyboard2kor(keys) == hangul
