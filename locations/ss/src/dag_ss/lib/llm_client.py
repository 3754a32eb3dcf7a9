"""One OpenAI-compatible chat client per run, asking for a deal in the strict JSON schema.

Transient transport errors (connection, timeout, 429, 5xx) are retried by tenacity at this
network edge; whatever still fails propagates, so the step can let Dagster retry and then
quarantine the row. Debug dumps of prompts and replies are written only when enabled.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dag_ss.lib.llm_schema import parse_answer, response_format, system_prompt, user_prompt


@dataclass(frozen=True)
class LlmSettings:
    base_url: str
    api_key: str
    model: str
    timeout_seconds: float = 120.0
    attempts: int = 3
    debug_dir: Path | None = None


class DealExtractor:
    """Calls the chat endpoint for one row at a time with the run's allowed carriers and models."""

    def __init__(self, settings: LlmSettings, carriers: Sequence[str], models: Sequence[str]):
        from openai import OpenAI

        self.settings = settings
        self.carriers = list(carriers)
        self.models = list(models)
        self._format = response_format(self.carriers, self.models)
        self._system = system_prompt(self.carriers, self.models)
        self._client = OpenAI(
            base_url=settings.base_url,
            api_key=settings.api_key or "unused",
            max_retries=0,
            timeout=settings.timeout_seconds,
        )
        self._complete = self._retrying(self._complete_once)

    def _retrying(self, call):
        import openai
        from tenacity import retry, retry_if_exception_type, stop_after_attempt, wait_exponential

        transient = (
            openai.APIConnectionError,
            openai.APITimeoutError,
            openai.RateLimitError,
            openai.InternalServerError,
        )
        return retry(
            retry=retry_if_exception_type(transient),
            stop=stop_after_attempt(self.settings.attempts),
            wait=wait_exponential(multiplier=0.5, max=8),
            reraise=True,
        )(call)

    def _complete_once(self, user: str) -> str | None:
        response = self._client.chat.completions.create(
            model=self.settings.model,
            temperature=0,
            messages=[{"role": "system", "content": self._system}, {"role": "user", "content": user}],
            response_format=self._format,
        )
        return response.choices[0].message.content if response.choices else None

    def extract(self, post: dict[str, Any]) -> dict[str, Any]:
        """The checked `deal` of the model's answer (InvalidAnswer when it is not one)."""
        user = user_prompt(post)
        reply = self._complete(user)
        if self.settings.debug_dir is not None:
            self._dump(user, reply)
        return parse_answer(reply, self.carriers, self.models)

    def _dump(self, user: str, reply: str | None) -> None:
        folder = self.settings.debug_dir
        folder.mkdir(parents=True, exist_ok=True)
        name = hashlib.md5(user.encode("utf-8")).hexdigest()
        record = {"model": self.settings.model, "system": self._system, "user": user, "reply": reply}
        (folder / f"llm_{name}.json").write_text(
            json.dumps(record, ensure_ascii=False, indent=2), encoding="utf-8"
        )

    def close(self) -> None:
        self._client.close()
