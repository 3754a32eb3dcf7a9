"""Freshness policies on a location's assets, applied in one place instead of in every asset file.

Each location that has a cadence keeps one mapping, `defs/freshness_policies.py`, from an asset's
spec to the Dagster `FreshnessPolicy` it should carry (or None), and its `definitions.py` passes
the loaded definitions through `with_freshness_policies`. The instance's freshness daemon
(`freshness: enabled` in dagster.yaml) then evaluates them and the UI shows each asset's state.
The spec's own freshness checks stay where they are: these policies say when a run is late, the
checks what the data's newest month or day is.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import dagster as dg

PolicyOf = Callable[[dg.AssetSpec], "dg.FreshnessPolicy | None"]


def with_freshness_policies(defs: dg.Definitions, policy_of: PolicyOf) -> dg.Definitions:
    """The definitions with `policy_of(spec)` set on every asset spec it gives a policy to."""

    def apply(spec: dg.AssetSpec) -> dg.AssetSpec:
        policy = policy_of(spec)
        return spec if policy is None else spec.replace_attributes(freshness_policy=policy)

    # Mapping every spec through a function is cheap (no selection to resolve while loading);
    # the API is marked preview in Dagster 1.13, which every code server would log on each load.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", dg.PreviewWarning)
        return defs.map_asset_specs(func=apply)
