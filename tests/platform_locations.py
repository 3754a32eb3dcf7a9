"""Helpers for platform tests that must reach into each location's own environment."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from dag_shared.locations import location as registered
from dag_shared.settings import LOCATIONS, repository_root

ROOT = repository_root()


def location_python(location: str, root: Path = ROOT) -> Path:
    return root / "locations" / location / ".venv" / "bin" / "python"


def convention_report(location: str) -> dict:
    """Run the convention checker inside the location's own environment."""
    result = subprocess.run(
        [str(location_python(location)), "-m", "dag_shared.conventions_report", location],
        capture_output=True,
        text=True,
        cwd=ROOT / "locations" / location,
        check=False,
    )
    assert result.returncode == 0, f"{location} definitions failed to load:\n{result.stderr[-4000:]}"
    return json.loads(result.stdout)


def validation_workspace(root: Path = ROOT) -> str:
    """A workspace loading every location from its own interpreter, for `dagster definitions validate`."""
    lines = ["load_from:"]
    for location in LOCATIONS:
        lines += [
            "  - python_module:",
            f"      module_name: {registered(location).definitions_module}",
            f"      location_name: {location}",
            f"      executable_path: {location_python(location, root)}",
            f"      working_directory: {root / 'locations' / location}",
        ]
    return "\n".join(lines) + "\n"


SNAPSHOT = ROOT / "tests" / "definitions_snapshot.json"


def definitions_inventories() -> dict[str, dict]:
    """Each location's sorted asset keys, checks, jobs, schedules and sensors, from its own environment."""
    return {location: convention_report(location)["inventory"] for location in LOCATIONS}


if __name__ == "__main__":
    # Rewrite the snapshot after an intended change of names: `python tests/platform_locations.py`.
    SNAPSHOT.write_text(json.dumps(definitions_inventories(), indent=1, ensure_ascii=False) + "\n")
