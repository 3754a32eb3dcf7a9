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
    return "".join(_LETTER_NAMES.get(ch.lower(), ch) for ch in text)


# Dubeolsik (2-set) keyboard: the key typed for each jamo.
_INITIALS = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
_MEDIALS = "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ"
_FINALS = ["", *"ㄱㄲㄳㄴㄵㄶㄷㄹㄺㄻㄼㄽㄾㄿㅀㅁㅂㅄㅅㅆㅇㅈㅊㅋㅌㅍㅎ"]
_KEYS = dict(zip("ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ", "rRseEfaqQtTdwWczxvg"))
_KEYS.update(zip("ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅛㅜㅠㅡㅣ", "koiOjpuPhynbml"))
_COMPOUND = {
    "ㅘ": "ㅗㅏ", "ㅙ": "ㅗㅐ", "ㅚ": "ㅗㅣ", "ㅝ": "ㅜㅓ", "ㅞ": "ㅜㅔ", "ㅟ": "ㅜㅣ", "ㅢ": "ㅡㅣ",
    "ㄳ": "ㄱㅅ", "ㄵ": "ㄴㅈ", "ㄶ": "ㄴㅎ", "ㄺ": "ㄹㄱ", "ㄻ": "ㄹㅁ", "ㄼ": "ㄹㅂ", "ㄽ": "ㄹㅅ",
    "ㄾ": "ㄹㅌ", "ㄿ": "ㄹㅍ", "ㅀ": "ㄹㅎ", "ㅄ": "ㅂㅅ",
}  # fmt: skip
_SYLLABLE_FIRST, _SYLLABLE_LAST = 0xAC00, 0xD7A3


def _jamo_keys(jamo: str) -> str:
    return "".join(_KEYS[j] for j in _COMPOUND.get(jamo, jamo))


def kor2keyboard(text: str) -> str:
    """The keys typed on a Korean 2-set keyboard: `삼성` → `tkatjd`; non-Hangul is kept."""
    out = []
    for ch in text:
        code = ord(ch)
        if _SYLLABLE_FIRST <= code <= _SYLLABLE_LAST:
            offset = code - _SYLLABLE_FIRST
            initial, rest = divmod(offset, 588)
            medial, final = divmod(rest, 28)
            out.append(_jamo_keys(_INITIALS[initial]) + _jamo_keys(_MEDIALS[medial]))
            if final:
                out.append(_jamo_keys(_FINALS[final]))
        elif ch in _KEYS or ch in _COMPOUND:
            out.append(_jamo_keys(ch))
        else:
            out.append(ch)
    return "".join(out)


_JAMO_OF_KEY = {key: jamo for jamo, key in _KEYS.items()}
_PAIRS = {parts: jamo for jamo, parts in _COMPOUND.items()}


def _is_vowel(jamo: str) -> bool:
    return jamo in _MEDIALS


def _compose(jamos: list[str]) -> str:
    """Assemble a run of jamo typed in order into syllables, as a 2-set keyboard IME does."""
    out, i, n = [], 0, len(jamos)

    def vowel_next(k: int) -> bool:
        return k < n and _is_vowel(jamos[k])

    while i < n:
        jamo = jamos[i]
        if not _is_vowel(jamo) and jamo in _INITIALS and vowel_next(i + 1):
            medial, k = jamos[i + 1], i + 2
            if vowel_next(k) and _PAIRS.get(medial + jamos[k], "") in _MEDIALS:
                medial, k = _PAIRS[medial + jamos[k]], k + 1
            final = ""
            if k < n and jamos[k] in _FINALS[1:] and not vowel_next(k + 1):
                final, k = jamos[k], k + 1
                pair = _PAIRS.get(final + jamos[k], "") if k < n else ""
                if pair in _FINALS[1:] and not vowel_next(k + 1):
                    final, k = pair, k + 1
            index = (_INITIALS.index(jamo) * 21 + _MEDIALS.index(medial)) * 28 + _FINALS.index(final)
            out.append(chr(_SYLLABLE_FIRST + index))
            i = k
        elif _is_vowel(jamo) and vowel_next(i + 1) and _PAIRS.get(jamo + jamos[i + 1], "") in _MEDIALS:
            out.append(_PAIRS[jamo + jamos[i + 1]])
            i += 2
        else:
            out.append(jamo)
            i += 1
    return "".join(out)


def keyboard2kor(text: str) -> str:
    """The reverse direction: what Latin keys produce when typed in Hangul mode (`tkatjd` → `삼성`).

    Used for Latin names, so a search typed with the keyboard in the wrong mode still matches
    (`LG` → `ㅣㅎ`). Shifted keys without a Hangul of their own count as unshifted.
    """
    out: list[str] = []
    run: list[str] = []
    for ch in text:
        key = ch if ch in _JAMO_OF_KEY else ch.lower()
        if key in _JAMO_OF_KEY:
            run.append(_JAMO_OF_KEY[key])
            continue
        out.append(_compose(run))
        run = []
        out.append(ch)
    out.append(_compose(run))
    return "".join(out)
