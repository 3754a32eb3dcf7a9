"""CD's instance of the shared image pipeline: company logos into `company.logo`.

The asset and job names are the legacy ones, spelled out here so each is found in this folder.
`cd_img_r2_docker` runs the Python crawler in a container and `cd_img_r2_node` as a local process
(the names are kept for continuity; no Node.js is involved any more). The crawl reads the CD
warehouse's `company` table (filled by the daily load); its DDL is CD's own (`dag_cd.lib.schema`).
"""

from __future__ import annotations

from typing import Any

import dagster as dg
from dag_shared.images.factory import build_image_pipeline
from dag_shared.images.lib.companies import CompanyTable
from dag_shared.images.spec import ImagePipelineSpec
from dag_shared.resources.duckdb import DuckDBResource

NAMES = {
    "docker": "cd_img_r2_docker",
    "node": "cd_img_r2_node",
    "download": "cd_r2_download",
    "webp": "cd_png2webp",
    "finalize": "cd_img_finalize",
    "clear_source": "cd_r2_clear",
    "clear_target": "cd_r2_clear_tgt",
    "docker_job": "cd_docker_job",
    "node_job": "cd_node_job",
}


def sample_company_names() -> list[str]:
    """Names the local search stand-in shows a company card for: every name of the sample KRX
    ticker lists (sample data), the companies a sample daily load creates."""
    import csv

    from dag_cd.lib.krx import SAMPLE_SNAPSHOT_DIR

    names: set[str] = set()
    for path in sorted(SAMPLE_SNAPSHOT_DIR.glob("*/*/tickers.csv")):
        with open(path, encoding="utf-8", newline="") as handle:
            names.update(row["종목명"] for row in csv.DictReader(handle))
    return sorted(names)


def prepare_company_table(conn: Any, local: bool) -> None:
    """CD's warehouse DDL (idempotent), and `company.logo` on databases created before it existed.
    Companies come from the daily load, never from this pipeline."""
    from dag_cd.lib.schema import ddl

    for statement in ddl("postgres"):
        conn.execute(statement)
    conn.execute("ALTER TABLE company ADD COLUMN IF NOT EXISTS logo text")


SPEC = ImagePipelineSpec(
    prefix="cd",
    group="CD",
    names=NAMES,
    table=CompanyTable(id_column="company_id", target_column="logo"),
    postgres_key="cd_postgres",
    duckdb_key="cd_duckdb",
    sample_names=sample_company_names,
    prepare=prepare_company_table,
)

# `cd_duckdb`: `$DAG_DATA_DIR/duckdb/cd.duckdb`, the `cd_logo_updates` ledger (the history has its own file).
defs = dg.Definitions.merge(
    build_image_pipeline(SPEC), dg.Definitions(resources={"cd_duckdb": DuckDBResource(location="cd")})
)
