"""Resources of the `ss` location: the SS warehouse, the run settings and the LLM endpoint.

Nothing reads the environment when definitions load: the warehouse URL is a `dg.EnvVar`, and a
settings field left unset is read from its documented variable when a run asks for it, so a
changed SS_* or LLM_* variable applies to the next run without reloading the location.
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg
from dag_shared.resources.postgres import postgres_resource
from dag_shared.settings import ENVIRONMENT_VARIABLES, data_dir, env
from pydantic import Field

_DEFAULTS = {var.name: var.default for var in ENVIRONMENT_VARIABLES}


def _number(name: str, low: float, high: float) -> float:
    raw = env(name) or _DEFAULTS[name]
    try:
        value = float(raw)
    except ValueError:
        raise dg.Failure(f"{name}={raw!r} is not a number", allow_retries=False) from None
    if not low <= value <= high:
        raise dg.Failure(f"{name}={raw!r} is outside [{low}, {high}]", allow_retries=False)
    return value


def _flag(name: str) -> bool:
    return (env(name) or "0").strip().lower() in ("1", "true", "yes", "on")


class SsSettingsResource(dg.ConfigurableResource):
    """Folders and thresholds of SS runs; unset fields come from SS_* variables at run time."""

    crawl_dir: str | None = Field(default=None, description="Crawl-file folder (unset: SS_CRAWL_DIR).")
    gate_min_score: float | None = Field(default=None, description="Unset: SS_DEAL_GATE_MIN_SCORE.")
    advertorial_high: float | None = Field(default=None, description="Unset: SS_ADVERTORIAL_HIGH.")
    deal_low_score: float | None = Field(default=None, description="Unset: SS_DEAL_LOW_SCORE.")

    crawl_hours: int | None = Field(default=None, description="Interval window (unset: SS_CRAWL_HOURS).")
    crawl_base_url: str | None = Field(
        default=None, description="Live board base URL; empty = local stand-in (unset: SS_CRAWL_BASE_URL)."
    )

    def crawl_settings(self):
        from dag_ss.lib.crawl import WINDOW_HOURS, CrawlSettings

        hours = self.crawl_hours
        if hours is None:
            raw = env("SS_CRAWL_HOURS") or _DEFAULTS["SS_CRAWL_HOURS"]
            if not raw.strip().isdigit() or int(raw) not in WINDOW_HOURS:
                raise dg.Failure(
                    f"SS_CRAWL_HOURS={raw!r} is not one of {', '.join(map(str, WINDOW_HOURS))}",
                    allow_retries=False,
                )
            hours = int(raw)
        base_url = self.crawl_base_url if self.crawl_base_url is not None else env("SS_CRAWL_BASE_URL", "")
        return CrawlSettings(
            output_dir=self.crawl_folder(),
            state_dir=data_dir() / "ss" / "crawl_state",
            hours=hours,
            base_url=base_url,
        )

    def crawl_folder(self) -> Path:
        configured = self.crawl_dir or env("SS_CRAWL_DIR")
        path = Path(configured).expanduser() if configured else data_dir() / "ss" / "crawl"
        path.mkdir(parents=True, exist_ok=True)
        return path

    def thresholds(self):
        from dag_ss.lib.llm_stage import Thresholds

        def pick(value, name):
            return value if value is not None else _number(name, 0.0, 1.0)

        return Thresholds(
            gate_min_score=pick(self.gate_min_score, "SS_DEAL_GATE_MIN_SCORE"),
            advertorial_high=pick(self.advertorial_high, "SS_ADVERTORIAL_HIGH"),
            deal_low_score=pick(self.deal_low_score, "SS_DEAL_LOW_SCORE"),
        )

    def flush_enabled(self) -> bool:
        return _flag("SS_DANGEROUS_FLUSH")


class SsLlmResource(dg.ConfigurableResource):
    """The OpenAI-compatible chat endpoint of SS extraction, or none (the rules-only local default).

    Unset fields come from LLM_BASE_URL, LLM_API_KEY and LLM_MODEL when a run starts; with no base
    URL the extraction is rules-only and says so in its metadata.
    """

    base_url: str | None = Field(default=None, description="Unset: LLM_BASE_URL; empty = rules only.")
    api_key: str | None = Field(default=None, description="Unset: LLM_API_KEY.")
    model: str | None = Field(default=None, description="Unset: LLM_MODEL.")
    attempts: int = Field(default=3, ge=1, le=10, description="Tries per request on transient errors.")
    timeout_seconds: float = Field(default=120.0, gt=0, description="Timeout of one request.")

    def settings(self):
        """LlmSettings, or None when no endpoint is configured."""
        from dag_ss.lib.llm_client import LlmSettings

        base_url = self.base_url if self.base_url is not None else env("LLM_BASE_URL", "")
        if not base_url.strip():
            return None
        model = self.model if self.model is not None else env("LLM_MODEL", "")
        if not model.strip():
            raise dg.Failure(
                "LLM_BASE_URL is set but LLM_MODEL is empty: set the model name", allow_retries=False
            )
        debug_dir = None
        if _flag("SS_LLM_LOG_FULL"):
            configured = env("SS_LLM_LOG_DIR")
            debug_dir = Path(configured).expanduser() if configured else data_dir() / "ss" / "llm_debug"
        return LlmSettings(
            base_url=base_url,
            api_key=self.api_key if self.api_key is not None else env("LLM_API_KEY", ""),
            model=model,
            timeout_seconds=self.timeout_seconds,
            attempts=self.attempts,
            debug_dir=debug_dir,
        )


def ss_resources() -> dict[str, object]:
    """The location's resources by key; tests replace `ss_settings` and `ss_llm` with explicit ones."""
    return {
        "ss_postgres": postgres_resource("ss"),
        "ss_settings": SsSettingsResource(),
        "ss_llm": SsLlmResource(),
    }


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(resources=ss_resources())
