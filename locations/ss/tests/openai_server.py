"""What the SS extraction tests ask the local chat server (`dag_shared.testing_chat_server`): deals.

The server records each request and answers with a function of its body, so a test decides what
the "model" answers: a deal from `deal_answer`, broken JSON, an HTTP error.
"""

from __future__ import annotations

import json
from typing import Any


def schema_of(body: dict[str, Any]) -> dict[str, Any]:
    return body["response_format"]["json_schema"]["schema"]["properties"]["deal"]


def deal_answer(**values) -> str:
    """A complete `deal` object (every field null) with the given values."""
    from dag_ss.lib.llm_schema import deal_schema

    fields = deal_schema(["SKT"], ["아이폰 16"])["properties"]["deal"]["properties"]
    deal = {name: None for name in fields}
    deal["addons_detail"] = []
    deal.update(values)
    return json.dumps({"deal": deal}, ensure_ascii=False)
