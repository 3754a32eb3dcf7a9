"""How every location's `definitions.py` builds its `Definitions`: one call, the same steps everywhere.

`load_location_defs(__file__, freshness_policy=...)`:

1. freezes what the imports made (`gc.freeze()`): it lives as long as the code server, so the full
   collections that building the definitions triggers no longer walk it (about 40 ms per load);
2. loads the project's `defs/` folder through its dg component tree, at the defs module itself.
   `dg.load_from_defs_folder` builds the same tree at its root, which also attaches the JSON
   description of every component type installed in the environment (for the components UI; no
   location here declares a component). That step costs 0.1–0.4 s of every load and reload, so it
   is skipped; the asset, check, job, schedule, sensor, resource and executor definitions are the
   same (tests/definitions_snapshot.json holds them);
3. instruments every asset (row count, execution time, peak memory, PII audit:
   `dag_shared.instrumentation`);
4. attaches the location's freshness policies when it has a mapping (`dag_shared.freshness`).
"""

from __future__ import annotations

import gc
import warnings
from pathlib import Path

import dagster as dg

from dag_shared.freshness import PolicyOf, with_freshness_policies
from dag_shared.instrumentation import instrument

DAGSTER_API_WARNINGS = (dg.PreviewWarning, dg.BetaWarning, dg.SupersessionWarning, DeprecationWarning)


def load_location_defs(
    definitions_file: str,
    *,
    freshness_policy: PolicyOf | None = None,
) -> dg.Definitions:
    """The location's definitions from the `defs/` folder beside `definitions_file`, instrumented."""
    gc.freeze()
    with warnings.catch_warnings():
        # As `dg.load_from_defs_folder` does: the loader and the decorators it runs use APIs that
        # Dagster marks preview or beta, which every code server would otherwise log on each load.
        for category in DAGSTER_API_WARNINGS:
            warnings.simplefilter("ignore", category)
        tree = dg.ComponentTree.for_project(Path(definitions_file).parent)
        defs = instrument(tree.build_defs(Path(".")))
    if freshness_policy is not None:
        defs = with_freshness_policies(defs, freshness_policy)
    return defs
