"""Name rules: security types, company names, Latin → Hangul letter names, 2-set keyboard keys."""

import pytest
from dag_cd.cd_names import (
    company_name,
    eng2kor,
    keyboard2kor,
    kor2keyboard,
    security_type,
)


@pytest.mark.parametrize(
    ("name", "keys"),
    [("삼성", "tkatjd"), ("삼성전자", "tkatjdwjswk"), ("카카오뱅크", "zkzkdhqodzm"),
     ("LG에너지솔루션", "LGdpsjwlthffntus"), ("완전", "dhkswjs"), ("값", "rkqt")],
)
def test_hangul_names_become_the_keys_typed_on_a_two_set_keyboard(name, keys):
    assert kor2keyboard(name) == keys


@pytest.mark.parametrize(("keys", "hangul"), [("tkatjd", "삼성"), ("tkatjdwjswk", "삼성전자"),
                                              ("rkqtdl", "값이"), ("ekfrdl", "닭이"), ("dhkswjs", "완전")])
def test_keys_typed_in_hangul_mode_are_assembled_back_into_syllables(keys, hangul):
    assert keyboard2kor(keys) == hangul


def test_latin_names_get_the_hangul_their_keys_produce_in_hangul_mode():
    assert keyboard2kor("lg") + "에너지솔루션" == keyboard2kor("lg에너지솔루션") == "ㅣㅎ에너지솔루션"
    assert keyboard2kor("sk") == "나"


@pytest.mark.parametrize(
    ("name", "spelled"),
    [("LG에너지솔루션", "엘지에너지솔루션"), ("SK하이닉스", "에스케이하이닉스"), ("NAVER", "엔에이브이이알"),
     ("삼성E&A", "삼성이앤에이"), ("HDC", "에이치디씨")],
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


@pytest.mark.parametrize(("name", "kind"), [("엔에이치스팩29호", "스팩"), ("하나스팩", "스팩"), ("SK리츠", "리츠"),
                                            ("맥쿼리인프라", "펀드"), ("삼성전자", "보통주")])
def test_spacs_reits_and_funds_are_recognised_by_name(name, kind):
    assert security_type(name, {"삼성전자"}) == kind
