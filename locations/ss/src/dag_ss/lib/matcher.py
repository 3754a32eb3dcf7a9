"""Token-boundary matching of dictionary terms in post text.

The legacy matcher searched the space-stripped text for any alias, so `스크` (SKT) was found in
`마스크` and `kt` in `skt`. Here a term matches only where it starts and ends on a boundary of the
Key-A text: a space, the text's edge, or a change of script (Hangul, Latin, digit, `+`), and a
Hangul term may be followed by a particle (`SKT로`, `스크로`, `폴7이`). Spaces inside a term are
optional (`아이폰16 프로` matches `아이폰 16 프로`). At one position the longest term wins.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from dag_ss.lib.keys import key_a, term_key

_CLASSES = {"hangul": "가-힣ㄱ-ㅣ", "latin": "a-z", "digit": "0-9"}
_PARTICLES = "이랑|으로|에서|에도|로도|이|가|은|는|을|를|의|에|로|도|만|와|과|랑|요"
PARTICLES = frozenset(_PARTICLES.split("|"))


def _class_of(char: str) -> str | None:
    if "가" <= char <= "힣" or "ㄱ" <= char <= "ㅣ":
        return "hangul"
    if "a" <= char <= "z":
        return "latin"
    if "0" <= char <= "9":
        return "digit"
    return None


@lru_cache(maxsize=64)
def _prepared(text: str) -> tuple[str, tuple[bool, ...], tuple[int, ...]]:
    """`_segments` of the text's Key-A; cached because both matchers read the same texts in turn
    (a pure function of the text: no dictionary data is cached here)."""
    chars, boundary, segment_end = _segments(key_a(text))
    return chars, tuple(boundary), tuple(segment_end)


def _segments(text_a: str) -> tuple[str, list[bool], list[int]]:
    """(Key-B of a Key-A text, is-boundary for every index 0..len, end of the segment at each index).

    A boundary is the start or end of the text, a removed space, or a change of character class.
    """
    chars: list[str] = []
    boundary = [True]
    previous, spaced = None, False
    for char in text_a:
        if char == " ":
            spaced = True
            continue
        kind = _class_of(char) or char
        if chars:
            boundary.append(spaced or kind != previous)
        chars.append(char)
        previous, spaced = kind, False
    boundary.append(True)
    segment_end = [0] * (len(chars) + 1)
    segment_end[len(chars)] = len(chars)
    for index in range(len(chars) - 1, -1, -1):
        segment_end[index] = index + 1 if boundary[index + 1] else segment_end[index + 1]
    return "".join(chars), boundary, segment_end


def term_regex(key: str) -> str:
    """The same rule as one regular expression over Key-A text (the reference the tests compare with)."""
    body = " ?".join(re.escape(char) for char in key)
    first, last = _class_of(key[0]), _class_of(key[-1])
    left = f"(?<![{_CLASSES[first]}])" if first else ""
    if last == "hangul":
        right = f"(?=(?:{_PARTICLES})?(?![{_CLASSES['hangul']}]))"
    elif last:
        right = f"(?![{_CLASSES[last]}])"
    else:
        right = ""
    return f"{left}{body}{right}"


@dataclass(frozen=True)
class Hit:
    name: str
    alias_key: str
    start: int


class TermMatcher:
    """Finds canonical names in text; built from {canonical name: aliases}.

    Matching works on the text's Key-B (no spaces) with the boundaries of its Key-A: a term is
    looked up by dictionary only between a boundary and a boundary (or a particle), longest first,
    so the cost per post grows with its length, not with the number of aliases.
    """

    def __init__(self, terms: Mapping[str, Iterable[str]]):
        self._names: dict[str, str] = {}
        for name, aliases in terms.items():
            for alias in [name, *aliases]:
                key = term_key(alias)
                owner = self._names.setdefault(key, name)
                if owner != name:
                    raise ValueError(f"alias {alias!r} of {name!r} has the same key as an alias of {owner!r}")
        self._longest = max(map(len, self._names), default=0)

    @property
    def names(self) -> list[str]:
        return sorted(set(self._names.values()))

    def hits(self, text: str) -> list[Hit]:
        """Every match in the text, in order of position (text is normalised to Key-A first)."""
        chars, boundary, segment_end = _prepared(text)
        found: list[Hit] = []
        start, size = 0, len(chars)
        while start < size:
            if not boundary[start]:
                start += 1
                continue
            end = self._longest_term_at(chars, start, boundary, segment_end)
            if end is None:
                start += 1
                continue
            key = chars[start:end]
            found.append(Hit(self._names[key], key, start))
            start = end
        return found

    def _longest_term_at(
        self, chars: str, start: int, boundary: tuple[bool, ...], segment_end: tuple[int, ...]
    ) -> int | None:
        for end in range(min(len(chars), start + self._longest), start, -1):
            if chars[start:end] not in self._names:
                continue
            if boundary[end]:
                return end
            if _class_of(chars[end - 1]) == "hangul" and chars[end : segment_end[end]] in PARTICLES:
                return end
        return None

    def names_in(self, text: str) -> list[str]:
        """Canonical names found, the one with the longest alias first (ties: earliest)."""
        best: dict[str, Hit] = {}
        for hit in self.hits(text):
            current = best.get(hit.name)
            if current is None or len(hit.alias_key) > len(current.alias_key):
                best[hit.name] = hit
        ranked = sorted(best.values(), key=lambda h: (-len(h.alias_key), h.start))
        return [hit.name for hit in ranked]

    def first(self, text: str) -> str | None:
        names = self.names_in(text)
        return names[0] if names else None
