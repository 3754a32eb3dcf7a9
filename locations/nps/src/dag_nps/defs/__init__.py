"""Dagster definitions of the `nps` location, loaded by `dg.load_from_defs_folder` (definitions.py).

One module per asset, named after the asset, with its asset checks; `jobs.py`, `schedules.py`,
`resources.py` and `partitions.py` beside them. Domain code lives in `dag_nps.lib`; these modules
import heavy libraries only inside asset and check bodies. This file holds no definitions.
"""
