"""Definitions of the `ds` code location: everything under `dag_ds.defs`, loaded automatically.

`defs/ds_logos.py` instantiates the shared image pipeline (`dag_shared.images`) for DS: the logo
crawler, the object store, WebP and `company.thumbnail` (see docs/ds.md); `defs/resources.py` holds
the DS database and DuckDB resources. Domain code without dagster is in `lib/`.
"""

import gc
from pathlib import Path

import dagster as dg
from dag_shared.instrumentation import instrument

# What the imports made lives as long as the process: frozen, the full collections that building
# the definitions triggers no longer walk it (about 40 ms of every load and reload).
gc.freeze()
# Row count, execution time, peak memory and PII audit on every materialization (dag_shared.instrumentation).
defs = instrument(dg.load_from_defs_folder(path_within_project=Path(__file__).parent))
