"""Name rules of the CD warehouse: security types, company names and search-name spellings.

Pure functions (no I/O), shared by the Postgres and the Turso steps, so both sinks classify and
spell names identically.
"""

from __future__ import annotations

import re
from collections.abc import Collection

SPAC, REIT, FUND = "스팩", "리츠", "펀드"
CONVERTIBLE_PREFERRED, PREFERRED, COMMON = "전환우선주", "우선주", "보통주"
# Securities of these types get no company of their own.
EXCLUDED_TYPES = (SPAC, REIT, FUND)

_SPAC = re.compile(r"스팩(\d+호)?$")
_REIT = re.compile(r"리츠$")
_FUND = re.compile(r"(맥쿼리인프라|맵스리얼티1|유전)$")
_CONVERTIBLE = re.compile(r"\(전환\)$")
_PREFERRED = re.compile(r"[0-9]*우[A-Za-z]*$")
_COMPANY = re.compile(r"(.+?)([0-9]*우[A-Za-z]*)?(\(전환\))?$")


def base_name(name: str) -> str:
    """The name without a trailing preferred (`2우B`, `우`) or convertible (`(전환)`) suffix."""
    match = _COMPANY.match(name.strip())
    return match.group(1).strip() if match else name.strip()


def security_type(name: str, listed_names: Collection[str]) -> str:
    """Classify a security by its KRX short name.

    A name ending in 우/2우B/(전환) is preferred only when its base name is itself a listed
    security (so `미래에셋대우` stays common: `미래에셋대` is not listed).
    """
    name = name.strip()
    if _SPAC.search(name):
        return SPAC
    if _REIT.search(name):
        return REIT
    if _FUND.search(name):
        return FUND
    base = base_name(name)
    if base != name and base in listed_names:
        if _CONVERTIBLE.search(name):
            return CONVERTIBLE_PREFERRED
        if _PREFERRED.search(name.removesuffix("(전환)")):
            return PREFERRED
    return COMMON


def company_name(name: str, kind: str) -> str:
    """The company a security belongs to: preferred shares lose their suffix."""
    if kind in (PREFERRED, CONVERTIBLE_PREFERRED):
        return base_name(name)
    return name.strip()


_LETTER_NAMES = {
    "a": "에이", "b": "비", "c": "씨", "d": "디", "e": "이", "f": "에프", "g": "지", "h": "에이치",
    "i": "아이", "j": "제이", "k": "케이", "l": "엘", "m": "엠", "n": "엔", "o": "오", "p": "피",
    "q": "큐", "r": "알", "s": "에스", "t": "티", "u": "유", "v": "브이", "w": "더블유", "x": "엑스",
    "y": "와이", "z": "제트", "&": "앤",
}  # fmt: skip
_LATIN = re.compile(r"[a-zA-Z]")
_HANGUL = re.compile(r"[가-힣]")


def has_latin(text: str) -> bool:
    return bool(_LATIN.search(text))


def has_hangul(text: str) -> bool:
    return bool(_HANGUL.search(text))


def eng2kor(text: str) -> str:
    """Spell each Latin letter (and &) as its Korean letter name: `SK하이닉스` → `에스케이하이닉스`."""
    return "".join(_LETTER_NAMES.get(ch.lower(), ch) if ch.isascii() else ch for ch in text)


# Dubeolsik (2-set) keyboard. Syllables are 0xAC00 + (initial * 21 + medial) * 28 + final.
_INITIALS = tuple("ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ")
_MEDIALS = tuple("ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ")
_FINALS = ("", *"ㄱㄲㄳㄴㄵㄶㄷㄹㄺㄻㄼㄽㄾㄿㅀㅁㅂㅄㅅㅆㅇㅈㅊㅋㅌㅍㅎ")
_INITIAL_INDEX = {jamo: i for i, jamo in enumerate(_INITIALS)}
_MEDIAL_INDEX = {jamo: i for i, jamo in enumerate(_MEDIALS)}
_FINAL_INDEX = {jamo: i for i, jamo in enumerate(_FINALS) if jamo}
_SYLLABLE_FIRST, _SYLLABLE_LAST = 0xAC00, 0xD7A3

# The key of each single-key jamo; the seven upper-case keys are typed with shift.
_KEYS = dict(zip("ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ", "rRseEfaqQtTdwWczxvg"))
_KEYS.update(zip("ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅛㅜㅠㅡㅣ", "koiOjpuPhynbml"))
_JAMO_OF_KEY = {key: jamo for jamo, key in _KEYS.items()}
_CONSONANTS = frozenset("ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ")
# Jamo typed as two keys: compound vowels, and consonant clusters (finals, or lone jamo).
_COMPOUNDS = {
    "ㅘ": ("ㅗ", "ㅏ"), "ㅙ": ("ㅗ", "ㅐ"), "ㅚ": ("ㅗ", "ㅣ"), "ㅝ": ("ㅜ", "ㅓ"), "ㅞ": ("ㅜ", "ㅔ"),
    "ㅟ": ("ㅜ", "ㅣ"), "ㅢ": ("ㅡ", "ㅣ"),
    "ㄳ": ("ㄱ", "ㅅ"), "ㄵ": ("ㄴ", "ㅈ"), "ㄶ": ("ㄴ", "ㅎ"), "ㄺ": ("ㄹ", "ㄱ"), "ㄻ": ("ㄹ", "ㅁ"),
    "ㄼ": ("ㄹ", "ㅂ"), "ㄽ": ("ㄹ", "ㅅ"), "ㄾ": ("ㄹ", "ㅌ"), "ㄿ": ("ㄹ", "ㅍ"), "ㅀ": ("ㄹ", "ㅎ"),
    "ㅄ": ("ㅂ", "ㅅ"),
}  # fmt: skip
_COMBINED = {parts: jamo for jamo, parts in _COMPOUNDS.items()}


def _jamo_keys(jamo: str) -> str:
    return "".join(_KEYS[part] for part in _COMPOUNDS.get(jamo, (jamo,)))


def _syllable_keys(code: int) -> str:
    initial, rest = divmod(code - _SYLLABLE_FIRST, 588)
    medial, final = divmod(rest, 28)
    keys = _jamo_keys(_INITIALS[initial]) + _jamo_keys(_MEDIALS[medial])
    return keys + _jamo_keys(_FINALS[final]) if final else keys


def kor2keyboard(text: str) -> str:
    """The keys typed on a Korean 2-set keyboard: `삼성` → `tkatjd`.

    Syllables and the keyboard's lone jamo (`ㄱ`, `ㅘ`, `ㄳ`) become keys; everything else is kept.
    """
    out = []
    for ch in text:
        if _SYLLABLE_FIRST <= ord(ch) <= _SYLLABLE_LAST:
            out.append(_syllable_keys(ord(ch)))
        elif ch in _KEYS or ch in _COMPOUNDS:
            out.append(_jamo_keys(ch))
        else:
            out.append(ch)
    return "".join(out)


class _Block:
    """The syllable being typed: an initial (or a lone consonant cluster), a medial, a final."""

    def __init__(self, initial: str = "", medial: str = "") -> None:
        self.initial, self.medial, self.final = initial, medial, ""

    def is_syllable(self) -> bool:
        return bool(self.initial and self.medial)

    def text(self) -> str:
        if not self.is_syllable():
            return self.initial + self.medial  # a lone consonant (or cluster) or a lone vowel
        index = (_INITIAL_INDEX[self.initial] * 21 + _MEDIAL_INDEX[self.medial]) * 28
        return chr(_SYLLABLE_FIRST + index + _FINAL_INDEX.get(self.final, 0))


def _type_vowel(block: _Block, vowel: str, out: list[str]) -> _Block:
    if block.medial and not block.final:
        combined = _COMBINED.get((block.medial, vowel))
        if combined:  # ㅗ + ㅏ → ㅘ
            block.medial = combined
            return block
        out.append(block.text())
        return _Block(medial=vowel)  # a vowel that does not combine starts a lone vowel
    if block.final:  # the last consonant moves on to start the next syllable: 각 + ㅏ → 가가
        keep, move = _COMPOUNDS.get(block.final, ("", block.final))
        block.final = keep
        out.append(block.text())
        return _Block(move, vowel)
    keep, move = _COMPOUNDS.get(block.initial, ("", block.initial))
    out.append(keep)  # a lone cluster keeps its first consonant: ㄳ + ㅏ → ㄱ사
    return _Block(move, vowel)


def _type_consonant(block: _Block, consonant: str, out: list[str]) -> _Block:
    if block.is_syllable() and not block.final and consonant in _FINAL_INDEX:
        block.final = consonant  # ㄸ, ㅃ and ㅉ are never finals
        return block
    # The consonant a new one may cluster with: a syllable's final, or a lone consonant.
    last = block.final if block.is_syllable() else block.initial
    combined = _COMBINED.get((last, consonant))
    if combined:  # 갑 + ㅅ → 값; a lone ㄱ + ㅅ → ㄳ
        if block.is_syllable():
            block.final = combined
        else:
            block.initial = combined
        return block
    out.append(block.text())
    return _Block(initial=consonant)


def _compose(jamos: list[str]) -> str:
    """Assemble jamo typed in order into syllables, as a 2-set keyboard's input method does."""
    out: list[str] = []
    block = _Block()
    for jamo in jamos:
        if jamo in _CONSONANTS:
            block = _type_consonant(block, jamo, out)
        else:
            block = _type_vowel(block, jamo, out)
    out.append(block.text())
    return "".join(out)


def _key_jamo(ch: str) -> str | None:
    """The jamo a key types: shifted QWERTO give ㅃㅉㄸㄲㅆㅒㅖ, other capitals count as lower case."""
    if not ch.isascii():
        return None
    return _JAMO_OF_KEY.get(ch) or _JAMO_OF_KEY.get(ch.lower())


def keyboard2kor(text: str) -> str:
    """The reverse direction: what Latin keys produce when typed in Hangul mode (`tkatjd` → `삼성`).

    Used for Latin names, so a search typed with the keyboard in the wrong mode still matches
    (`lg` → `ㅣㅎ`, `bnk` → `ㅠㅜㅏ`). Any other character is kept and ends the syllable being typed.
    Total: every string gives a string.
    """
    out: list[str] = []
    run: list[str] = []
    for ch in text:
        jamo = _key_jamo(ch)
        if jamo is not None:
            run.append(jamo)
            continue
        out.append(_compose(run))
        run = []
        out.append(ch)
    out.append(_compose(run))
    return "".join(out)
