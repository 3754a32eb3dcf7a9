"""Definitions of the `is` code location: everything under `dag_is.defs`, loaded automatically.

No pipeline of this team has been ported yet, so `defs/` is empty; the location still loads,
shows in the UI and passes the convention checks, ready for its first asset. Dagster definitions
go in `defs/` (one module per asset, named after it), domain code without dagster in `lib/`
(created with the first such module).
"""

from pathlib import Path

import dagster as dg

defs = dg.load_from_defs_folder(path_within_project=Path(__file__).parent)
