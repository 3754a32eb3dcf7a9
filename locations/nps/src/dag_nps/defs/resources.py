"""Resources of the `nps` location: the warehouse, the silver DuckDB file and the monthly-file source.

Nothing here reads the environment when definitions load. The Postgres URL is a `dg.EnvVar`, the
DuckDB file is found in the data directory when a connection opens, and every source setting
left unset is read from its documented variable (dag_shared.settings) when a run uses it, so a
changed NPS_* variable takes effect on the next run without reloading the code location.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
from dag_shared.resources.duckdb import DuckDBResource
from dag_shared.resources.postgres import postgres_resource
from dag_shared.settings import ENVIRONMENT_VARIABLES, data_dir, env
from pydantic import Field

from dag_nps.defs.jobs import NPS_EXECUTOR
from dag_nps.lib.sample import SAMPLE_DIR

_DOCUMENTED_DEFAULTS = {var.name: var.default for var in ENVIRONMENT_VARIABLES}


@dataclass(frozen=True)
class NpsSource:
    """The source settings of one run, resolved."""

    source_dir: str
    portal_base_url: str
    download_concurrency: int
    min_file_bytes: int
    quarantine_max_ratio: float
    min_row_share: float

    @property
    def is_live(self) -> bool:
        return bool(self.portal_base_url.strip())

    def landing_dir(self) -> Path:
        path = data_dir() / "nps" / "bronze"
        path.mkdir(parents=True, exist_ok=True)
        return path


def _from_env(name: str, convert: Callable[[str], int | float], low: float, high: float | None = None):
    """The variable's value (its documented default when unset), converted and range-checked."""
    raw = env(name) or _DOCUMENTED_DEFAULTS[name]
    try:
        value = convert(raw)
    except ValueError:
        raise ValueError(f"{name}={raw!r} is not a {convert.__name__}") from None
    if value < low or (high is not None and value > high):
        raise ValueError(f"{name}={raw!r} is outside [{low}, {'∞' if high is None else high}]")
    return value


class NpsSourceResource(dg.ConfigurableResource):
    """Where monthly files come from (the portal when a base URL is set, else a folder) and their limits.

    A field left unset is read from its environment variable when a run starts; call `settings()`
    in the asset body.
    """

    source_dir: str | None = Field(
        default=None, description="Folder of monthly CSVs in the original format (unset: NPS_SOURCE_DIR)."
    )
    portal_base_url: str | None = Field(
        default=None, description="data.go.kr base URL; empty = local source (unset: NPS_PORTAL_BASE_URL)."
    )
    download_concurrency: int | None = Field(
        default=None,
        ge=1,
        le=16,
        description="Parallel downloads, live source (unset: NPS_DOWNLOAD_CONCURRENCY).",
    )
    min_file_bytes: int | None = Field(
        default=None, ge=0, description="Smaller files are quarantined (unset: NPS_MIN_FILE_BYTES)."
    )
    quarantine_max_ratio: float | None = Field(
        default=None,
        ge=0,
        le=1,
        description="Allowed quarantined share of a month; a month above it is not loaded "
        "(unset: NPS_QUARANTINE_MAX_RATIO).",
    )
    min_row_share: float | None = Field(
        default=None,
        ge=0,
        le=1,
        description="A month must keep at least this share of the rows it replaces, or of the nearest "
        "loaded month (unset: NPS_MIN_ROW_SHARE).",
    )

    def settings(self) -> NpsSource:
        """The settings of this run: the fields set, the environment (read now) for the others.

        A malformed variable fails the step without retries (a retry would read the same value).
        """
        try:
            return self._resolve()
        except ValueError as error:
            raise dg.Failure(description=str(error), allow_retries=False) from None

    def _resolve(self) -> NpsSource:
        def pick(value, resolve):
            return value if value is not None else resolve()

        return NpsSource(
            source_dir=pick(self.source_dir, lambda: env("NPS_SOURCE_DIR", str(SAMPLE_DIR))),
            portal_base_url=pick(self.portal_base_url, lambda: env("NPS_PORTAL_BASE_URL", "")),
            download_concurrency=pick(
                self.download_concurrency, lambda: _from_env("NPS_DOWNLOAD_CONCURRENCY", int, 1, 16)
            ),
            min_file_bytes=pick(self.min_file_bytes, lambda: _from_env("NPS_MIN_FILE_BYTES", int, 0)),
            quarantine_max_ratio=pick(
                self.quarantine_max_ratio, lambda: _from_env("NPS_QUARANTINE_MAX_RATIO", float, 0, 1)
            ),
            min_row_share=pick(self.min_row_share, lambda: _from_env("NPS_MIN_ROW_SHARE", float, 0, 1)),
        )


def nps_resources() -> dict[str, object]:
    """The location's resources by key; tests replace `nps_source` with explicit settings."""
    return {
        "nps_postgres": postgres_resource("nps"),
        "nps_duckdb": DuckDBResource(location="nps"),
        "nps_source": NpsSourceResource(),
    }


@dg.definitions
def resources() -> dg.Definitions:
    # The jobs' executor for every run of the location, so asset-selection runs from the UI,
    # backfills and the automation sensor's runs also run their steps in the run worker.
    return dg.Definitions(resources=nps_resources(), executor=NPS_EXECUTOR)
