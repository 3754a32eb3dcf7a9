"""docs/guidelines.md documents the checker: its optional-tag table and rule names match the code."""

from __future__ import annotations

import re
from pathlib import Path

from dag_shared import conventions

DOC = Path(__file__).resolve().parents[2] / "docs" / "guidelines.md"


def test_the_optional_tag_table_lists_exactly_the_allowed_values():
    text = DOC.read_text(encoding="utf-8")
    section = text.split("### Optional tags and their allowed values", 1)[1].split("\n## ", 1)[0]
    documented = {}
    for line in section.splitlines():
        match = re.match(r"\| `(\w+)` \| ([^|]+) \|", line)
        if match:
            documented[match[1]] = set(re.findall(r"`([^`]+)`", match[2]))
    assert documented == {tag: set(values) for tag, values in conventions.OPTIONAL_TAG_VALUES.items()}


def test_every_new_rule_is_named_in_the_doc():
    text = DOC.read_text(encoding="utf-8")
    for rule in (
        conventions.DESCRIPTION_RULE,
        conventions.OPTIONAL_TAG_RULE,
        conventions.PII_TAGS_RULE,
        conventions.PII_COLUMNS_RULE,
    ):
        assert rule in text
