"""Resources of the IS enrichment: its settings and the two optional model endpoints.

- `is_enrichment`: queue and policy settings (spec A8; the legacy environment variables became
  fields with the legacy defaults) and the one prompt-version setting, FUSION_PROMPT_VER, read
  when a run starts.
- `is_llm`, `is_vlm`: OpenAI-compatible endpoints from LLM_* and VLM_* (base URL, key, model).
  With no base URL the workers use the local methods and record `local` as the method.
"""

from dataclasses import dataclass

import dagster as dg
from dag_shared.resources.llm import OptionalChatModelResource
from dag_shared.settings import ENVIRONMENT_VARIABLES, env
from pydantic import Field

_PROMPT_VER_DEFAULT = next(v.default for v in ENVIRONMENT_VARIABLES if v.name == "FUSION_PROMPT_VER")
PRIORITY = r"^P[01]$"


@dataclass(frozen=True)
class EnrichmentSettings:
    prompt_ver: str
    fusion_batch: int
    vlm_batch: int
    lease_seconds: float
    retry_delay_seconds: float
    text_only_limit: int
    text_only_priority: str
    eta_window_minutes: float
    hold_max_minutes: float
    upgrade_limit: int
    upgrade_priority: str
    front_page_minutes: float
    idf_corpus_posts: int
    rollup_limit: int


class IsEnrichmentResource(dg.ConfigurableResource):
    """Settings of the enrichment queues and workers (docs/is.md, Enrichment)."""

    prompt_ver: str | None = Field(default=None, description="Prompt version (unset: FUSION_PROMPT_VER).")
    fusion_batch: int = Field(default=110, ge=1, le=10_000, description="Fusion jobs per worker run.")
    vlm_batch: int = Field(default=33, ge=1, le=10_000, description="Image jobs per worker run.")
    lease_minutes: float = Field(
        default=15, gt=0, description="A processing job older than this returns to the queue."
    )
    retry_delay_seconds: float = Field(
        default=15, ge=0, description="Delay of a job released after an endpoint outage."
    )
    text_only_limit: int = Field(default=1000, ge=1, description="TEXT_ONLY_ENQUEUE_LIMIT.")
    text_only_priority: str = Field(default="P1", pattern=PRIORITY, description="TEXT_ONLY_ENQUEUE_PRIORITY.")
    eta_window_minutes: float = Field(default=15, gt=0, description="ETA_WINDOW_MINUTES: VLM rate window.")
    hold_max_minutes: float = Field(
        default=3, ge=0, description="T_HOLD_MAX_MINUTES: longest hold for the VLM."
    )
    upgrade_limit: int = Field(default=2000, ge=1, description="UPGRADE_IMAGE_LLM_LIMIT.")
    upgrade_priority: str = Field(default="P0", pattern=PRIORITY, description="UPGRADE_IMAGE_LLM_PRIORITY.")
    front_page_minutes: float = Field(
        default=20, gt=0, description="Front-page exposure that promotes to P0."
    )
    idf_corpus_posts: int = Field(
        default=2000, ge=1, description="Newest posts the local keyword IDF counts over."
    )
    rollup_limit: int = Field(default=2000, ge=1, description="Posts rolled up per run.")

    def settings(self) -> EnrichmentSettings:
        prompt_ver = (self.prompt_ver or env("FUSION_PROMPT_VER") or _PROMPT_VER_DEFAULT).strip()
        if not prompt_ver or any(c.isspace() for c in prompt_ver):
            raise dg.Failure(f"FUSION_PROMPT_VER={prompt_ver!r} must be one word", allow_retries=False)
        return EnrichmentSettings(
            prompt_ver=prompt_ver,
            fusion_batch=self.fusion_batch,
            vlm_batch=self.vlm_batch,
            lease_seconds=self.lease_minutes * 60,
            retry_delay_seconds=self.retry_delay_seconds,
            text_only_limit=self.text_only_limit,
            text_only_priority=self.text_only_priority,
            eta_window_minutes=self.eta_window_minutes,
            hold_max_minutes=self.hold_max_minutes,
            upgrade_limit=self.upgrade_limit,
            upgrade_priority=self.upgrade_priority,
            front_page_minutes=self.front_page_minutes,
            idf_corpus_posts=self.idf_corpus_posts,
            rollup_limit=self.rollup_limit,
        )


def enrichment_resources() -> dict[str, object]:
    return {
        "is_enrichment": IsEnrichmentResource(),
        "is_llm": OptionalChatModelResource(settings_prefix="LLM"),
        "is_vlm": OptionalChatModelResource(settings_prefix="VLM"),
    }


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(resources=enrichment_resources())
