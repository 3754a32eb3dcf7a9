"""`ChatModelResource`: dagster-openai's resource plus the model name (a required endpoint).

Kept apart from `dag_shared.resources.llm` (which re-exports it lazily) because dagster-openai
imports the openai SDK, which takes seconds; importers of the optional endpoint do not pay for it.
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
