"""Normalised posts (B4): the post's text with its author's comments, and the rule-derived fields.

Every post is normalised, with or without comments: a post without comments is judged on its
title and content (the legacy pipeline dropped it silently).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import timedelta, timezone
from typing import Any

from dag_ss.lib import vocabulary as v

KST = timezone(timedelta(hours=9))
_PRICE = re.compile(r"\d+(?:\.\d+)?\s*만|\d{1,3}(?:,\d{3})+\s*원|\d{4,}\s*원")
_LATIN_WORD = re.compile(r"[a-z]+")
_CAPACITY = re.compile(
    r"(?<!\d)(64|128|256|512|1024)\s*(?:gb|g|기가)(?![a-z])|(?<!\d)([12])\s*(?:tb|테라)(?![a-z])"
)
_BARE_CAPACITY = re.compile(r"(?<![\d.])(64|128|256|512)(?![\d.])")


def contains(text: str, word: str) -> bool:
    """Substring match for Hangul words; whole-word match for Latin words (`as` is not in `was`)."""
    if _LATIN_WORD.fullmatch(word):
        return re.search(rf"(?<![a-z]){word}(?![a-z])", text) is not None
    return word in text


def found(text: str, words: Iterable[str]) -> list[str]:
    return [word for word in words if contains(text, word)]


def has_price(text: str) -> bool:
    return _PRICE.search(text) is not None


def capacity_of(text: str) -> str | None:
    """`256GB`, `1TB`, …: an explicit unit first, else a bare 64/128/256/512."""
    match = _CAPACITY.search(text)
    if match:
        if match.group(2):
            return f"{match.group(2)}TB"
        return "1TB" if match.group(1) == "1024" else f"{match.group(1)}GB"
    bare = _BARE_CAPACITY.search(text)
    return f"{bare.group(1)}GB" if bare else None


def channel_of(text: str) -> str:
    if found(text, v.CITIES):
        return "오프라인"
    if found(text, v.ONLINE_WORDS):
        return "온라인"
    if found(text, v.OFFLINE_WORDS):
        return "오프라인"
    return "unknown"


def _first_rule(text: str, rules: tuple[tuple[tuple[str, ...], str], ...]) -> str | None:
    for words, value in rules:
        if found(text, words):
            return value
    return None


def move_type_of(text: str) -> str | None:
    return _first_rule(
        text, ((("번이", "번호이동"), "번호이동"), (("기변", "기기변경"), "기기변경"), (("자급",), "자급"))
    )


def contract_of(text: str) -> str | None:
    return _first_rule(
        text, ((("공시",), "공시지원"), (("선약", "선택약정"), "선택약정"), (("무약정",), "무약정"))
    )


def payment_of(text: str) -> str | None:
    return _first_rule(text, ((("현완", "현금완"), "현금완납"), (("할부",), "할부")))


def advertorial_score(text: str) -> float:
    score = sum(weight for weight, words in v.ADVERTORIAL_GROUPS if found(text, words))
    return round(min(score, 1.0), 2)


def is_question_like(text: str, title: str) -> bool:
    return bool(found(text, v.QUESTION_WORDS)) or title.rstrip().endswith("?")


def deal_candidate_score(text: str) -> float:
    price = has_price(text)
    score = 0.5 if price else 0.0
    score += min(len(found(text, v.POSITIVE_TOKENS)), 3) * (0.15 if price else 0.08)
    score -= min(len(found(text, v.NEGATIVE_TOKENS)), 3) * 0.2
    return round(max(0.0, min(1.0, score)), 4)


def _flatten(comments: Any) -> Iterable[dict]:
    """Top-level comments and their first-level replies."""
    for comment in comments if isinstance(comments, list) else []:
        if isinstance(comment, dict) and not comment.get("isDeleted"):
            yield comment
            for reply in comment.get("replies") or []:
                if isinstance(reply, dict) and not reply.get("isDeleted"):
                    yield reply


def split_comments(post: dict[str, Any]) -> tuple[list[str], int]:
    """(texts of the author's own comments, number of other people's comments)."""
    author = (post.get("author") or "").strip()
    own, others = [], 0
    for comment in _flatten(post.get("comments")):
        content = comment.get("content") if isinstance(comment.get("content"), str) else ""
        if author and (comment.get("author") or "").strip() == author:
            if content.strip():
                own.append(content.strip())
        else:
            others += 1
    return own, others


def normalize_post(post: dict[str, Any], advertorial_high: float) -> dict[str, Any]:
    """The normalised row of one cleaned post (see crawl_file.clean_post)."""
    own, others = split_comments(post)
    text = "\n".join(part for part in [post["title"], post.get("content") or "", *own] if part.strip())
    folded = text.casefold()
    price = has_price(folded)
    positives = found(folded, v.POSITIVE_TOKENS)
    question = is_question_like(folded, post["title"])
    adv = advertorial_score(folded)
    score = deal_candidate_score(folded)
    if adv >= advertorial_high:
        intent = "advertorial"
    elif question and not price:
        intent = "question"
    elif price or len(positives) >= 2:
        intent = "deal"
    else:
        intent = "unclear"
    candidate = intent == "deal" and score > 0
    reason = None if candidate else ("no_price_or_terms" if intent in ("deal", "unclear") else intent)
    if intent == "deal" and score <= 0:
        reason = "negative_tokens"
    posted = post.get("posted_at")
    return {
        "post_id": post["post_id"],
        "url": post["url"],
        "author": post.get("author"),
        "title": post["title"],
        "content": post.get("content") or "",
        "op_comment_texts": own,
        "text": text,
        "op_comments": len(own),
        "other_comments": others,
        "channel": channel_of(folded),
        "city": next(iter(found(folded, v.CITIES)), None),
        "move_type": move_type_of(folded),
        "contract": contract_of(folded),
        "payment": payment_of(folded),
        "capacity": capacity_of(folded),
        "source_posted_at": posted.astimezone(KST).date() if posted else None,
        "intent": intent,
        "deal_candidate": candidate,
        "deal_candidate_score": score,
        "advertorial_score": adv,
        "nondeal_reason": reason,
    }
