"""Resources of the `is` location: the warehouse and the crawl source settings.

Nothing reads the environment when definitions load: the Postgres URL is a `dg.EnvVar` and every
crawl setting left unset is read from its documented variable when a run calls `settings()`.
"""

from dataclasses import dataclass

import dagster as dg
from dag_shared.resources.postgres import postgres_resource
from dag_shared.settings import ENVIRONMENT_VARIABLES, env
from pydantic import Field

_DEFAULTS = {var.name: var.default for var in ENVIRONMENT_VARIABLES}


@dataclass(frozen=True)
class CrawlSettings:
    source: str
    min_interval_seconds: float
    chromium_path: str


class IsCrawlResource(dg.ConfigurableResource):
    """Where the board crawlers fetch from: the local stand-in (default) or the live boards."""

    source: str | None = Field(default=None, description="`local` or `live` (unset: IS_CRAWL_SOURCE).")
    min_interval_seconds: float | None = Field(
        default=None,
        ge=0,
        description="Gap between requests to one host, live (unset: IS_CRAWL_MIN_INTERVAL_SECONDS).",
    )
    chromium_path: str | None = Field(default=None, description="Chromium binary (unset: IS_CHROMIUM_PATH).")

    def settings(self) -> CrawlSettings:
        """This run's settings; a malformed value fails the step without retries."""
        source = (self.source or env("IS_CRAWL_SOURCE") or _DEFAULTS["IS_CRAWL_SOURCE"]).strip().lower()
        if source not in ("local", "live"):
            raise dg.Failure(f"IS_CRAWL_SOURCE={source!r} is neither 'local' nor 'live'", allow_retries=False)
        raw = self.min_interval_seconds
        if raw is None:
            text = env("IS_CRAWL_MIN_INTERVAL_SECONDS") or _DEFAULTS["IS_CRAWL_MIN_INTERVAL_SECONDS"]
            try:
                raw = float(text)
            except ValueError:
                raise dg.Failure(
                    f"IS_CRAWL_MIN_INTERVAL_SECONDS={text!r} is not a number", allow_retries=False
                ) from None
        if raw < 0:
            raise dg.Failure(f"IS_CRAWL_MIN_INTERVAL_SECONDS={raw!r} is negative", allow_retries=False)
        chromium = self.chromium_path or env("IS_CHROMIUM_PATH") or _DEFAULTS["IS_CHROMIUM_PATH"]
        return CrawlSettings(source, raw, chromium)


def is_resources() -> dict[str, object]:
    return {"is_postgres": postgres_resource("is"), "is_crawl": IsCrawlResource()}


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(resources=is_resources())
