"""The local text method: keywords from Kiwi (Korean morphology) by TF-IDF, categories from a lexicon.

Used when no text model is configured (LLM_BASE_URL empty); its results record `fused_model =
'local'`. Keywords are nouns (NNG, NNP) and Latin-script words (SL) of at least two characters;
each post's term frequencies (title counted twice) are weighted by the inverse document frequency
over the recent posts of the warehouse, so words every post uses ("사람", "오늘") rank low. The
category lexicon (data/is_category_lexicon.json) is documented in the file itself. kiwipiepy loads
its model (about 4 s, once per process) only when the method is first used.
"""

from __future__ import annotations

import json
import math
import threading
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources

from dag_is.lib.enrich_schema import CATEGORIES, MAX_KEYWORDS

NOUN_TAGS = frozenset({"NNG", "NNP"})
KEPT_TAGS = NOUN_TAGS | {"SL"}
# Nouns that carry no topic in community posts; TF-IDF lowers the others without a list.
STOPWORDS = frozenset(
    [
        "사람",
        "생각",
        "오늘",
        "진짜",
        "정도",
        "이번",
        "지금",
        "우리",
        "그냥",
        "때문",
        "경우",
        "하나",
        "이거",
        "저거",
        "그거",
        "여기",
        "거기",
        "자기",
        "본인",
        "다들",
        "하루",
        "요즘",
        "얼마",
        "부분",
        "이상",
        "이하",
        "관련",
        "내용",
        "게시",
        "게시물",
        "댓글",
        "추천",
        "조회",
        "글쓴이",
        "작성",
        "원문",
        "출처",
        "링크",
        "어제",
        "그제",
        "그저께",
        "내일",
        "모레",
        "방금",
        "본문",
        "잡담",
    ]
)
_KIWI_LOCK = threading.Lock()


@cache
def _kiwi():
    from kiwipiepy import Kiwi

    return Kiwi()


def terms(text: str) -> list[str]:
    """The keyword candidates of a text, in order (lowercased Latin words)."""
    if not text.strip():
        return []
    with _KIWI_LOCK:
        tokens = _kiwi().tokenize(text[:4000])
    # Nouns written together form one compound ("서비스"+"센터" → "서비스센터", "전기"+"차" → "전기차").
    words: list[tuple[str, str, int]] = []  # (form, tag, end offset)
    for token in tokens:
        if token.tag not in KEPT_TAGS:
            continue
        form = token.form.lower() if token.tag == "SL" else token.form
        previous = words[-1] if words else None
        if previous and token.tag in NOUN_TAGS and previous[1] in NOUN_TAGS and previous[2] == token.start:
            words[-1] = (previous[0] + form, token.tag, token.start + token.len)
        else:
            words.append((form, token.tag, token.start + token.len))
    return [
        form
        for form, tag, _ in words
        if len(form) >= 2
        and form not in STOPWORDS
        and form not in CATEGORIES
        and (tag != "SL" or form.isalnum())
    ]


@dataclass(frozen=True)
class DocumentFrequencies:
    documents: int
    counts: dict[str, int]

    @classmethod
    def of(cls, texts: Iterable[str]) -> DocumentFrequencies:
        counts: Counter[str] = Counter()
        documents = 0
        for text in texts:
            documents += 1
            counts.update(set(terms(text)))
        return cls(documents, dict(counts))

    def idf(self, term: str) -> float:
        return math.log((1 + self.documents) / (1 + self.counts.get(term, 0))) + 1.0


def keywords(
    title: str, content: str, frequencies: DocumentFrequencies, limit: int = MAX_KEYWORDS
) -> list[str]:
    """At most `limit` keywords of a post, highest TF-IDF first (ties: first occurrence)."""
    title_terms = terms(title or "")
    body_terms = terms(content or "")
    weights: Counter[str] = Counter()
    first_seen: dict[str, int] = {}
    for position, term in enumerate(title_terms + body_terms):
        weights[term] += 2 if position < len(title_terms) else 1
        first_seen.setdefault(term, position)
    ranked = sorted(weights, key=lambda t: (-weights[t] * frequencies.idf(t), first_seen[t]))
    return ranked[:limit]


@dataclass(frozen=True)
class Lexicon:
    title_weight: int
    min_score: float
    second_ratio: float
    categories: dict[str, tuple[str, ...]]

    def categorize(self, title: str, content: str) -> list[str]:
        """One or two categories of the fixed set, best first; `기타` when nothing scores enough."""
        title_text, body_text = (title or "").lower(), (content or "").lower()
        scores = {}
        for name, words in self.categories.items():
            score = sum(self.title_weight for w in words if w in title_text) + sum(
                1 for w in words if w in body_text
            )
            if score >= self.min_score:
                scores[name] = score
        if not scores:
            return ["기타"]
        order = list(self.categories)
        ranked = sorted(scores, key=lambda n: (-scores[n], order.index(n)))
        best = ranked[0]
        chosen = [best]
        if len(ranked) > 1 and scores[ranked[1]] >= self.second_ratio * scores[best]:
            chosen.append(ranked[1])
        return chosen


@cache
def lexicon() -> Lexicon:
    """The packaged lexicon, checked against the fixed category set."""
    raw = json.loads(
        resources.files("dag_is.lib").joinpath("data/is_category_lexicon.json").read_text("utf-8")
    )
    categories = {name: tuple(w.lower() for w in words) for name, words in raw["categories"].items()}
    if sorted(categories) != sorted(CATEGORIES):
        raise ValueError(
            f"is_category_lexicon.json: categories {sorted(categories)} differ from {sorted(CATEGORIES)}"
        )
    return Lexicon(int(raw["title_weight"]), float(raw["min_score"]), float(raw["second_ratio"]), categories)
