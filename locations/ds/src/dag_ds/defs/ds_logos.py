"""DS's instance of the shared image pipeline: company logos into `company.thumbnail`.

The asset and job names are the legacy ones, spelled out here so each is found in this folder.
`ds_img_r2_docker` runs the Python crawler in a container and `ds_img_r2_node` as a local process
(the names are kept for continuity; no Node.js is involved any more).
"""

from __future__ import annotations

from dag_shared.images.factory import build_image_pipeline
from dag_shared.images.lib.companies import CompanyTable
from dag_shared.images.spec import ImagePipelineSpec

from dag_ds.lib import schema

NAMES = {
    "docker": "ds_img_r2_docker",
    "node": "ds_img_r2_node",
    "download": "ds_r2_download",
    "webp": "ds_png2webp",
    "finalize": "ds_img_finalize",
    "clear_source": "ds_r2_clear_src",
    "clear_target": "ds_r2_clear_tgt",
    "docker_job": "ds_docker_job",
    "node_job": "ds_node_job",
}

SPEC = ImagePipelineSpec(
    prefix="ds",
    group="DS",
    names=NAMES,
    table=CompanyTable(id_column="id", target_column="thumbnail", deleted_column="is_deleted"),
    postgres_key="ds_postgres",
    duckdb_key="ds_duckdb",
    sample_names=schema.search_card_names,
    prepare=schema.prepare,
)

defs = build_image_pipeline(SPEC)
