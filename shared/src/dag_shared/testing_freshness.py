"""What the freshness tests of the locations read back: the policy each asset of a location carries.

`dag_shared.freshness` sets the policies when a location's definitions load; a location's tests
then hold the loaded policies to its schedules, asset by asset, from this one view of them.
"""

from __future__ import annotations

import dagster as dg


def loaded_policies(defs: dg.Definitions) -> dict[str, dg.FreshnessPolicy | None]:
    """Asset key (as a user writes it) → its freshness policy, for every materializable asset."""
    graph = defs.resolve_asset_graph()
    return {
        key.to_user_string(): graph.get(key).freshness_policy
        for key in graph.get_all_asset_keys()
        if graph.get(key).is_materializable
    }
