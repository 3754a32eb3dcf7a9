"""OpenAI-compatible chat endpoints (LM Studio, vLLM, Ollama, OpenAI, Gemini's compatible API).

Base URL, key and model all come from the environment; nothing points at a fixed host.
"""

from __future__ import annotations

import dagster as dg
from dagster_openai import OpenAIResource
from pydantic import Field


class ChatModelResource(OpenAIResource):
    """dagster-openai's resource plus the model name to call."""

    model: str = Field(description="Model name sent with every chat request.")
    settings_prefix: str = Field(default="LLM", description="Prefix of the variables configuring it.")

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        # An unset variable fails at launch; an empty one (compose passes "" for unset) fails here.
        empty = [
            f"{self.settings_prefix}_{suffix}"
            for suffix, value in (
                ("BASE_URL", self.base_url),
                ("API_KEY", self.api_key),
                ("MODEL", self.model),
            )
            if not (value or "").strip()
        ]
        if empty:
            raise ValueError(f"the chat model endpoint is not configured: set {', '.join(empty)}")
        super().setup_for_execution(context)


def chat_model_resource(prefix: str = "LLM") -> ChatModelResource:
    """Resource configured from `<PREFIX>_BASE_URL`, `<PREFIX>_API_KEY` and `<PREFIX>_MODEL`."""
    return ChatModelResource(
        base_url=dg.EnvVar(f"{prefix}_BASE_URL"),
        api_key=dg.EnvVar(f"{prefix}_API_KEY"),
        model=dg.EnvVar(f"{prefix}_MODEL"),
        settings_prefix=prefix,
    )
