"""The DS location's resources and executor, as one `Definitions` object the defs folder loads.

- `ds_postgres`: DS's own database, DS_POSTGRES_URL (a `dg.EnvVar`, resolved when a run starts);
- `ds_duckdb`: `$DAG_DATA_DIR/duckdb/ds.duckdb` (the `ds_logo_updates` ledger);
- `ds_logo_store` and `ds_logo_crawler` come with the image pipeline (`ds_logos.py`).
"""

from __future__ import annotations

import dagster as dg
from dag_shared.resources.duckdb import DuckDBResource
from dag_shared.resources.postgres import postgres_resource

defs = dg.Definitions(
    resources={
        "ds_postgres": postgres_resource("ds"),
        "ds_duckdb": DuckDBResource(location="ds"),
    },
    # Four short steps one after another; the WebP step spreads its own work over the cores.
    executor=dg.in_process_executor,
)
