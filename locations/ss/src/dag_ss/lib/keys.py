"""Dictionary keys of text: Key-A (normalised words) and Key-B (Key-A without spaces).

The legacy normaliser ran NFKC, which turns Hangul compatibility jamo (`ㅅㅋ`) into conjoining
jamo that its character class then erased, so jamo aliases silently became empty strings. Here
compatibility jamo are kept on purpose: NFKC's conjoining jamo are mapped back to them before the
character filter, and an alias whose key is still empty is rejected with an error.
"""

from __future__ import annotations

import re
import unicodedata

_COMPAT_JAMO = [chr(code) for code in range(0x3131, 0x3164)]  # ㄱ … ㅣ
# NFKC maps each compatibility jamo (and the halfwidth ones) to a conjoining jamo; invert that.
_TO_COMPAT = str.maketrans(
    {
        unicodedata.normalize("NFKC", jamo): jamo
        for jamo in _COMPAT_JAMO
        if len(unicodedata.normalize("NFKC", jamo)) == 1
    }
)
_OUTSIDE = re.compile(r"[^0-9a-z가-힣ㄱ-ㅣ+ ]+")
_SPACES = re.compile(r" +")


class EmptyKeyError(ValueError):
    """A dictionary term whose key is empty after normalisation (it would match everything)."""


def key_a(text: str) -> str:
    """NFKC, NFC, casefold; compatibility jamo kept; anything outside [0-9a-z가-힣ㄱ-ㅣ+] becomes a space."""
    folded = unicodedata.normalize("NFC", unicodedata.normalize("NFKC", text)).casefold()
    folded = folded.translate(_TO_COMPAT)
    return _SPACES.sub(" ", _OUTSIDE.sub(" ", folded)).strip()


def key_b(text: str) -> str:
    """Key-A with the spaces removed."""
    return key_a(text).replace(" ", "")


def term_key(term: str) -> str:
    """Key-B of a dictionary term; an empty key is an error naming the term."""
    key = key_b(term)
    if not key:
        raise EmptyKeyError(f"dictionary term {term!r} has an empty key after normalisation")
    return key
