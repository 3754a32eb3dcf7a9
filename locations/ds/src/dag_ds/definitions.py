"""Definitions of the `ds` code location: everything under `dag_ds.defs`, loaded automatically.

`defs/ds_logos.py` instantiates the shared image pipeline (`dag_shared.images`) for DS: the logo
crawler, the object store, WebP and `company.thumbnail` (see docs/ds.md); `defs/resources.py` holds
the DS database and DuckDB resources. Domain code without dagster is in `lib/`.
"""

from dag_shared.location_defs import load_location_defs

# The defs/ folder, instrumented (dag_shared.location_defs).
defs = load_location_defs(__file__)
