"""The LLM's contract (B6): the strict JSON schema of a deal, the prompt, and checking an answer.

The schema's `model` and `carrier` enums are the dictionary's names as loaded from the warehouse
for this run; an answer outside them, or not JSON of this shape, is an `InvalidAnswer` with the
reason, and the row is quarantined with it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from dag_ss.lib.rules import INTEGER_FIELDS, STRING_FIELDS, UNKNOWN, normalize_carrier

CHANNELS = ("온라인", "오프라인", "unknown")
SCHEMA_NAME = "ss_deal_schema"


class InvalidAnswer(ValueError):
    """The model's reply is not a deal of the schema; the message is the quarantine reason."""


def deal_schema(carriers: Sequence[str], models: Sequence[str]) -> dict[str, Any]:
    if not carriers or not models:
        raise ValueError("the LLM schema needs the dictionary's carriers and models; got an empty list")
    nullable = {"type": ["string", "null"]}
    integer = {"type": ["integer", "null"]}
    addon = {
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "fee": integer,
            "months": integer,
            "note": nullable,
        },
        "required": ["name", "fee", "months", "note"],
        "additionalProperties": False,
    }
    properties: dict[str, Any] = {
        "model": {"type": "string", "enum": [*models, UNKNOWN]},
        "carrier": {"type": "string", "enum": list(carriers)},
        **{field: nullable for field in STRING_FIELDS},
        **{field: integer for field in INTEGER_FIELDS},
        "contract_extra_support": {"type": ["boolean", "null"]},
        "channel": {"type": ["string", "null"], "enum": [*CHANNELS, None]},
        "addons_detail": {"type": "array", "items": addon},
    }
    deal = {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }
    return {
        "type": "object",
        "properties": {"deal": deal},
        "required": ["deal"],
        "additionalProperties": False,
    }


def response_format(carriers: Sequence[str], models: Sequence[str]) -> dict[str, Any]:
    return {
        "type": "json_schema",
        "json_schema": {"name": SCHEMA_NAME, "strict": True, "schema": deal_schema(carriers, models)},
    }


SYSTEM_PROMPT = """너는 휴대폰 구매 후기/시세 글에서 거래 조건을 뽑아 `deal` JSON을 정확히 채우는 추출기다.
생각은 속으로만 하고, 출력은 JSON 객체 하나뿐이다.
입력: [TITLE], [CONTENT], [META] post_author, [COMMENTS_OP] (글쓴이 댓글만; 다른 사람 댓글은 주지 않는다).
규칙:
- upfront = 내가 낸 돈(현완, 기기값), support_cash = 받은 돈(페이백, 차비). 같은 금액을 둘 다에 넣지 않는다.
- device_finance_* 는 할부가 명시된 경우에만 채운다.
- 33요금제 = 33000, 욕 = 요금제, 6.6만 = 66000. 일수는 30일 = 1개월로 환산한다. 숫자만 있으면 개월이 아니다.
- 36개월보다 훨씬 긴 개월 수는 다시 확인한다.
- city, channel 은 글쓴이 댓글에 장소와 거래 동사가 함께 있을 때만 채운다.
- 모르는 값은 null, 모델을 모르면 "미상".
예시 1: "SKT 번이 아이폰16 현완 45만 109요금제 6개월" → model "아이폰 16", carrier "SKT", move_type "번호이동", upfront 450000, plan_high_fee 109000, plan_high_months 6.
예시 2: "KT 기변 S25 울트라 256 할원 80만 페이백 10만" → model "갤럭시 S25 울트라", carrier "KT", capacity "256GB", device_finance_total 800000, support_cash 100000."""


def system_prompt(carriers: Sequence[str], models: Sequence[str]) -> str:
    return f"{SYSTEM_PROMPT}\n허용 통신사: {', '.join(carriers)}\n허용 모델: {', '.join(models)}"


def user_prompt(post: dict[str, Any]) -> str:
    comments = "\n".join(f"- {text}" for text in post.get("op_comment_texts") or [])
    return (
        f"[TITLE]\n{post.get('title') or ''}\n[CONTENT]\n{post.get('content') or ''}\n"
        f"[META] post_author={post.get('author') or ''}\n[COMMENTS_OP]\n{comments}"
    )


_FENCE = re.compile(r"^```(?:json)?\s*|\s*```$", re.MULTILINE)
_TRAILING_COMMA = re.compile(r",\s*([}\]])")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _loads(reply: str) -> Any:
    try:
        return json.loads(reply)
    except json.JSONDecodeError:
        pass
    text = _CONTROL.sub("", _FENCE.sub("", reply))
    if "{" in text and "}" in text:
        text = text[text.index("{") : text.rindex("}") + 1]
    try:
        return json.loads(_TRAILING_COMMA.sub(r"\1", text))
    except json.JSONDecodeError as error:
        raise InvalidAnswer(f"llm_invalid_answer: not JSON ({error.msg} at column {error.colno})") from None


def parse_answer(reply: str | None, carriers: Sequence[str], models: Sequence[str]) -> dict[str, Any]:
    """The `deal` object of a reply, checked against the schema; InvalidAnswer otherwise."""
    if not reply or not reply.strip():
        raise InvalidAnswer("llm_invalid_answer: empty reply")
    document = _loads(reply)
    deal = document.get("deal") if isinstance(document, dict) else None
    if not isinstance(deal, dict):
        raise InvalidAnswer("llm_invalid_answer: no 'deal' object")
    if deal.get("model") not in {*models, UNKNOWN}:
        raise InvalidAnswer(f"llm_invalid_answer: model {deal.get('model')!r} is not in the dictionary")
    if deal.get("carrier") not in set(carriers):
        raise InvalidAnswer(f"llm_invalid_answer: carrier {deal.get('carrier')!r} is not in the dictionary")
    for field in INTEGER_FIELDS:
        value = deal.get(field)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise InvalidAnswer(f"llm_invalid_answer: {field} is {value!r}, not an integer")
    for field in STRING_FIELDS:
        if deal.get(field) is not None and not isinstance(deal[field], str):
            raise InvalidAnswer(f"llm_invalid_answer: {field} is not a string")
    if deal.get("channel") not in {*CHANNELS, None}:
        raise InvalidAnswer(f"llm_invalid_answer: channel {deal.get('channel')!r}")
    if not isinstance(deal.get("addons_detail", []), list):
        raise InvalidAnswer("llm_invalid_answer: addons_detail is not an array")
    return deal


def _empty(value: Any) -> bool:
    return value is None or value == 0 or value == "" or value == UNKNOWN or value == []


def merge(rules_deal: dict[str, Any], answer: dict[str, Any]) -> dict[str, Any]:
    """The rules' deal with every empty field (None, 0, "", [], 미상) filled from the answer."""
    merged = dict(rules_deal)
    for field, value in answer.items():
        if not _empty(value) and _empty(merged.get(field)):
            merged[field] = value
    merged["carrier"] = normalize_carrier(merged.get("carrier"))
    return merged
