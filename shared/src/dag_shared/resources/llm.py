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


def chat_model_resource(prefix: str = "LLM") -> ChatModelResource:
    """Resource configured from `<PREFIX>_BASE_URL`, `<PREFIX>_API_KEY` and `<PREFIX>_MODEL`."""
    return ChatModelResource(
        base_url=dg.EnvVar(f"{prefix}_BASE_URL"),
        api_key=dg.EnvVar(f"{prefix}_API_KEY"),
        model=dg.EnvVar(f"{prefix}_MODEL"),
    )
