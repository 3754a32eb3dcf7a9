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

from dag_shared.conventions import check_location, owned_asset_keys


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


def report(location: str) -> dict:
    defs = importlib.import_module(f"dag_{location}.definitions").defs
    violations = check_location(location, defs)
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
