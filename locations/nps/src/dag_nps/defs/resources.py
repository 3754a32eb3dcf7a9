"""Resources of the `nps` location: warehouse, silver DuckDB file and the monthly-file source."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
from dag_shared.settings import data_dir, env
from pydantic import Field

SAMPLE_DIR = Path(__file__).parent / "sample_data"


class NpsSourceResource(dg.ConfigurableResource):
    """Where monthly files come from: the portal (live) when a base URL is set, else a folder."""

    source_dir: str = Field(description="Folder of monthly CSVs in the original format (local source).")
    portal_base_url: str = Field(default="", description="data.go.kr base URL; empty = local source.")
    download_concurrency: int = Field(default=3, ge=1, le=16, description="Parallel downloads (live source).")
    min_file_bytes: int = Field(default=100_000, ge=0, description="Smaller files are quarantined.")
    quarantine_max_ratio: float = Field(
        default=0.001, ge=0, le=1, description="Allowed quarantined share of a month; a month above it is not loaded."
    )
    min_row_share: float = Field(
        default=0.9, ge=0, le=1,
        description="A month must keep at least this share of the rows it replaces (or of the nearest loaded month).",
    )

    @property
    def is_live(self) -> bool:
        return bool(self.portal_base_url.strip())

    def landing_dir(self) -> Path:
        path = data_dir() / "nps" / "bronze"
        path.mkdir(parents=True, exist_ok=True)
        return path

    @classmethod
    def from_env(cls) -> NpsSourceResource:
        return cls(
            source_dir=env("NPS_SOURCE_DIR", str(SAMPLE_DIR)),
            portal_base_url=env("NPS_PORTAL_BASE_URL", ""),
            download_concurrency=int(env("NPS_DOWNLOAD_CONCURRENCY", "3")),
            min_file_bytes=int(env("NPS_MIN_FILE_BYTES", "100000")),
            quarantine_max_ratio=float(env("NPS_QUARANTINE_MAX_RATIO", "0.001")),
            min_row_share=float(env("NPS_MIN_ROW_SHARE", "0.9")),
        )


def nps_resources() -> dict[str, object]:
    from dag_shared.resources.duckdb import duckdb_resource
    from dag_shared.resources.postgres import postgres_resource

    return {
        "nps_postgres": postgres_resource("nps"),
        "nps_duckdb": duckdb_resource("nps"),
        "nps_source": NpsSourceResource.from_env(),
    }
