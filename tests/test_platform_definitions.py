"""All locations together: Dagster's own validation, the conventions, one owner per asset key."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from dag_shared.conventions import duplicate_asset_keys
from dag_shared.settings import LOCATIONS
from platform_locations import ROOT, SNAPSHOT, convention_report, validation_workspace


def _validate(workspace: Path, home: Path) -> subprocess.CompletedProcess:
    home.mkdir(exist_ok=True)
    return subprocess.run(
        [str(Path(sys.executable).parent / "dagster"), "definitions", "validate", "-w", str(workspace)],
        capture_output=True,
        text=True,
        env={"DAGSTER_HOME": str(home), "PATH": "/usr/bin:/bin"},
        check=False,
    )


def test_dagster_validates_all_locations_together(tmp_path):
    workspace = tmp_path / "workspace.yaml"
    workspace.write_text(validation_workspace())
    result = _validate(workspace, tmp_path / "home")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    for location in LOCATIONS:
        assert f"Validation successful for code location {location}" in output


@pytest.fixture(scope="module")
def reports() -> dict[str, dict]:
    return {location: convention_report(location) for location in LOCATIONS}


@pytest.mark.parametrize("location", LOCATIONS)
def test_every_location_follows_the_conventions(reports, location):
    assert reports[location]["violations"] == []


def test_no_asset_key_is_owned_by_two_locations(reports):
    keys = {location: report["asset_keys"] for location, report in reports.items()}
    assert duplicate_asset_keys(keys) == []


def test_dg_toml_and_both_workspace_files_are_generated_from_the_location_registry():
    from dag_platform.workspace_files import stale_files

    assert stale_files(ROOT) == [], "run `python -m dag_platform.workspace_files`"


def test_the_dg_workspace_lists_every_registered_location_as_a_project():
    import tomllib

    workspace = tomllib.loads((ROOT / "dg.toml").read_text())
    assert workspace["directory_type"] == "workspace"
    assert [p["path"] for p in workspace["workspace"]["projects"]] == [f"locations/{n}" for n in LOCATIONS]


def test_every_location_defines_exactly_the_names_of_the_snapshot(reports):
    """A layout change moves code, not names: asset keys, checks, jobs, schedules and sensors stay."""
    snapshot = json.loads(SNAPSHOT.read_text())
    assert {location: report["inventory"] for location, report in reports.items()} == snapshot
