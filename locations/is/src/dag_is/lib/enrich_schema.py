"""What the enrichment asks the models for: the fixed categories, strict JSON schemas, prompts.

The schemas are sent as `response_format` (strict JSON schema) and every answer is validated
against the same schema before anything is written (dag_shared.resources.llm.JsonChatClient).
User messages are JSON documents built with json.dumps, never by pasting text into a template
(legacy defect A11-17). Normalisation (dedupe, caps, clamping) follows spec A8.2 and A8.3.
"""

from __future__ import annotations

import json
import re
from typing import Any

CATEGORIES = (
    "유머",
    "정보",
    "질문",
    "후기",
    "뉴스",
    "토론",
    "후방",
    "짤",
    "정치",
    "쇼핑",
    "IT",
    "스포츠",
    "게임",
    "기타",
)
MAX_KEYWORDS = 8

FUSION_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "categories": {
            "type": "array",
            "items": {"type": "string", "enum": list(CATEGORIES)},
            "minItems": 1,
            "maxItems": 2,
            "uniqueItems": True,
        },
        "keywords": {
            "type": "array",
            "items": {"type": "string", "minLength": 1, "maxLength": 40},
            "minItems": 3,
            "maxItems": MAX_KEYWORDS,
        },
    },
    "required": ["categories", "keywords"],
    "additionalProperties": False,
}

FUSION_SYSTEM = (
    "너는 한국 커뮤니티 게시글 분류기다. 사용자 메시지는 JSON 객체(site, board, title, tags, "
    "content_blocks)이며, JSON 객체 하나만 답한다.\n"
    "1) categories: 다음 중 중요도 순으로 보통 1개, 최대 2개: " + ", ".join(CATEGORIES) + ". "
    "사용 경험을 전하면 후기, 답을 구하면 질문, 의견 대립을 다루면 토론, 웃음이 목적이면 유머, "
    "이미지 자체가 중심이면 짤, 어디에도 맞지 않으면 기타.\n"
    "2) keywords: 글의 핵심 명사 또는 명사구 3~8개, 중복 없이 중요한 순서로, 카테고리 이름은 제외."
)

_NUMBER = {"type": "number", "minimum": 0, "maximum": 1}
VLM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "caption": {"type": "string", "maxLength": 400},
        "labels": {"type": "array", "items": {"type": "string"}, "maxItems": 20},
        "ocr_lines": {"type": "array", "items": {"type": "string", "maxLength": 160}, "maxItems": 200},
        "safety": {
            "type": "object",
            "properties": {"nsfw": _NUMBER, "violence": _NUMBER},
            "required": ["nsfw", "violence"],
            "additionalProperties": False,
        },
        "objects": {
            "type": "array",
            "maxItems": 20,
            "items": {
                "type": "object",
                "properties": {
                    "name": {"type": "string", "minLength": 1},
                    "count": {"type": "integer", "minimum": 1},
                    "confidence": _NUMBER,
                },
                "required": ["name", "count", "confidence"],
                "additionalProperties": False,
            },
        },
        "colors": {
            "type": "array",
            "maxItems": 10,
            "items": {
                "type": "object",
                "properties": {
                    "name": {"type": "string"},
                    "hex": {"type": "string", "pattern": "^#[0-9A-Fa-f]{6}$"},
                    "ratio": _NUMBER,
                },
                "required": ["name", "hex", "ratio"],
                "additionalProperties": False,
            },
        },
    },
    "required": ["caption", "labels", "ocr_lines", "safety", "objects", "colors"],
    "additionalProperties": False,
}

VLM_SYSTEM = {
    "ocr": (
        "너는 화면 캡처·문서 이미지의 글자를 옮기는 OCR 도우미다. 보이는 글자를 왼쪽→오른쪽, 위→아래 순서로 "
        "그대로 옮겨 ocr_lines에 한 줄씩 넣는다(최대 200줄, 줄당 160자). 표는 'table:', 코드는 'code:', "
        "여러 패널은 'panelN:'으로 시작한다. 줄바꿈으로 끊긴 단어는 잇고 의미 없는 줄은 뺀다. caption은 "
        "1~2문장, labels 20개 이하, colors 3개 이하, safety는 소수 셋째 자리까지. JSON 객체 하나만 답한다."
    ),
    "photo": (
        "너는 사진 설명 도우미다. caption은 사실에 근거한 1~3문장(불확실한 부분은 '(추정)'), objects는 "
        "{name,count,confidence} 3~12개, labels는 장면·스타일 8~20개, colors는 {name,hex,ratio} 3~5개. "
        "간판이나 합성 이미지의 글자만 ocr_lines에 넣는다. JSON 객체 하나만 답한다."
    ),
}
VLM_MAX_TOKENS = {"ocr": 10000, "photo": 2000}

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def fusion_user_message(item: dict[str, Any]) -> str:
    """The fusion user message: a JSON document of the post and its image descriptions."""
    blocks: list[dict[str, Any]] = [{"type": "text", "text": (item.get("content") or "")[:6000]}]
    for image in item.get("images") or []:
        blocks.append({"type": "image", "url": image.get("url"), "meta": image})
    document = {
        "site": item.get("site"),
        "board": item.get("board"),
        "title": item.get("title") or "",
        "tags": item.get("tags") or [],
        "content_blocks": blocks,
    }
    return json.dumps(document, ensure_ascii=False)


def normalize_fusion(answer: dict[str, Any]) -> tuple[list[str], list[str]]:
    """(categories, keywords) of a schema-valid answer: known categories, trimmed unique keywords."""
    categories = [c for c in dict.fromkeys(answer["categories"]) if c in CATEGORIES][:2] or ["기타"]
    keywords = []
    for word in answer["keywords"]:
        word = " ".join(str(word).split())
        if word and word not in keywords and word not in CATEGORIES:
            keywords.append(word)
    return categories, keywords[:MAX_KEYWORDS]


def clean_ocr_lines(lines: list[str], limit: int = 200, width: int = 160) -> list[str]:
    """Control characters removed, blank and repeated lines dropped, at most `limit` × `width`."""
    out: list[str] = []
    for line in lines:
        line = " ".join(_CONTROL.sub(" ", str(line)).split())[:width]
        if line and line not in out:
            out.append(line)
        if len(out) == limit:
            break
    return out


def normalize_vlm(answer: dict[str, Any]) -> dict[str, Any]:
    """A schema-valid VLM answer in the stored shape (spec A8.3 normalisation)."""
    labels = list(dict.fromkeys(" ".join(str(x).split()) for x in answer["labels"] if str(x).strip()))[:20]
    objects: dict[str, dict[str, Any]] = {}
    for obj in answer["objects"]:
        name = obj["name"].strip().lower()
        entry = objects.setdefault(name, {"name": name, "count": 0, "confidences": []})
        entry["count"] += int(obj["count"])
        entry["confidences"].append(float(obj["confidence"]))
    merged_objects = sorted(
        (
            {
                "name": o["name"],
                "count": o["count"],
                "confidence": round(sum(o["confidences"]) / len(o["confidences"]), 3),
            }
            for o in objects.values()
        ),
        key=lambda o: -o["count"],
    )[:20]
    colors: dict[str, dict[str, Any]] = {}
    for color in answer["colors"]:
        key = color["hex"].lower()
        entry = colors.setdefault(key, {"name": color["name"], "hex": key, "ratio": 0.0})
        entry["ratio"] = round(entry["ratio"] + float(color["ratio"]), 3)
    safety = {k: round(min(max(float(answer["safety"][k]), 0.0), 1.0), 3) for k in ("nsfw", "violence")}
    return {
        "caption": " ".join(answer["caption"].split())[:200] or None,
        "labels": labels,
        "ocr_lines": clean_ocr_lines(answer["ocr_lines"]),
        "safety": safety,
        "objects": merged_objects,
        "colors": sorted(colors.values(), key=lambda c: -c["ratio"])[:3],
    }
