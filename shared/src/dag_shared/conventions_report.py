"""`python -m dag_shared.conventions_report <location>`: one location's convention report as JSON.

Locations live in separate environments, so the platform suite cannot import them all into one
process; it runs this in each location's environment and combines the reports (for example to
find an asset key owned by two locations).
"""

from __future__ import annotations

import importlib
import json
import sys
from dataclasses import asdict

import dagster as dg

from dag_shared.conventions import Violation, check_location, owned_asset_keys
from dag_shared.instrumentation import is_instrumented
from dag_shared.locations import location as registered


def inventory(defs) -> dict[str, list[str]]:
    """The sorted names of everything a location defines: what a layout change must leave as it is."""
    graph = defs.resolve_asset_graph()
    return {
        "asset_keys": owned_asset_keys(defs),
        "asset_checks": sorted(key.to_user_string() for key in graph.asset_check_keys),
        "jobs": sorted(job.name for job in defs.jobs or []),
        "schedules": sorted(schedule.name for schedule in defs.schedules or []),
        "sensors": sorted(sensor.name for sensor in defs.sensors or []),
    }


INSTRUMENTED_RULE = "definitions.py applies dag_shared.instrumentation.instrument"


def uninstrumented(location: str, defs) -> list[Violation]:
    """Assets of a location's real definitions whose materializations bypass the run-time checks."""
    return [
        Violation(location, f"asset {name}", INSTRUMENTED_RULE, "its compute is not wrapped")
        for assets_def in defs.assets or []
        if isinstance(assets_def, dg.AssetsDefinition)
        and assets_def.is_executable
        and hasattr(getattr(assets_def.node_def, "compute_fn", None), "decorated_fn")
        and not is_instrumented(assets_def)
        for name in sorted(key.to_user_string() for key in assets_def.keys)
    ]


def report(location: str) -> dict:
    defs = importlib.import_module(registered(location).definitions_module).defs
    violations = check_location(location, defs)
    if not any(v.subject == "definitions" for v in violations):
        violations = sorted(violations + uninstrumented(location, defs))
    unresolved = any(v.subject == "definitions" for v in violations)
    keys = [] if unresolved else owned_asset_keys(defs)
    return {
        "location": location,
        "asset_keys": keys,
        "jobs": sorted(job.name for job in defs.jobs or []),
        "inventory": None if unresolved else inventory(defs),
        "violations": [asdict(v) for v in violations],
    }


if __name__ == "__main__":
    json.dump(report(sys.argv[1]), sys.stdout)
