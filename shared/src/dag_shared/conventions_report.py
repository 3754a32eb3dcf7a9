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


def report(location: str) -> dict:
    defs = importlib.import_module(f"dag_{location}.definitions").defs
    violations = check_location(location, defs)
    keys = [] if any(v.subject == "definitions" for v in violations) else owned_asset_keys(defs)
    return {
        "location": location,
        "asset_keys": keys,
        "jobs": sorted(job.name for job in defs.jobs or []),
        "violations": [asdict(v) for v in violations],
    }


if __name__ == "__main__":
    json.dump(report(sys.argv[1]), sys.stdout)
