"""What a location tells the image-pipeline factory: its prefix, group, database, company table,
and the names of its assets and jobs (the location's defs module spells them out, so each asset
name is found in its defs folder)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from dag_shared.images.lib.companies import CompanyTable

ASSET_ROLES = ("docker", "node", "download", "webp", "finalize", "clear_source", "clear_target")
JOB_ROLES = ("docker_job", "node_job")


@dataclass(frozen=True)
class ImagePipelineSpec:
    prefix: str  # "cd" / "ds": asset-key prefix, resource keys, DuckDB ledger `<prefix>_logo_updates`
    group: str
    names: Mapping[str, str]  # role (ASSET_ROLES + JOB_ROLES) -> asset or job name
    table: CompanyTable
    postgres_key: str  # the location's warehouse resource (a dag_shared PostgresResource)
    duckdb_key: str  # the location's DuckDB resource (dag_shared DuckDBResource)
    sample_names: Callable[[], list[str]]  # companies the local search stand-in shows a logo for
    # Creates the tables the pipeline reads (idempotently) on an open psycopg connection; the flag
    # says whether the run is the local default (stand-in search), where sample rows may be seeded.
    prepare: Callable[[Any, bool], None]

    def __post_init__(self) -> None:
        missing = set(ASSET_ROLES + JOB_ROLES) - set(self.names)
        if missing:
            raise ValueError(f"image pipeline {self.prefix}: no name for {sorted(missing)}")
        for role in ASSET_ROLES:
            if not self.names[role].startswith(f"{self.prefix}_"):
                raise ValueError(f"asset {self.names[role]!r} does not start with {self.prefix}_")

    @property
    def store_key(self) -> str:
        return f"{self.prefix}_logo_store"

    @property
    def crawler_key(self) -> str:
        return f"{self.prefix}_logo_crawler"

    def name(self, role: str) -> str:
        return self.names[role]
