"""The repository is a dg workspace of one dg project per location, each in its own environment."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from dag_shared.locations import LOCATIONS
from platform_locations import ROOT, SNAPSHOT

DG = Path(sys.executable).parent / "dg"


def _without_instance_settings() -> dict[str, str]:
    environment = dict(os.environ)
    environment.pop("DAGSTER_HOME", None)
    return environment


def _dg_check_defs(workspace: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(DG), "check", "defs"],
        cwd=workspace,
        capture_output=True,
        text=True,
        check=False,
        env=_without_instance_settings(),
    )


def test_dg_check_defs_from_the_root_loads_every_location_in_its_own_environment():
    result = _dg_check_defs(ROOT)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "All definitions loaded successfully" in result.stdout + result.stderr


def test_dg_check_defs_fails_naming_a_location_that_cannot_import(tmp_path):
    from dag_platform_testing.stack_harness import copy_repository

    copy = copy_repository(ROOT, tmp_path / "repo", locations=("ss",), link_the_others=True)
    # Only ss has an environment of its own in the copy (the others are the checkout's): the
    # workspace lists ss alone.
    (copy / "dg.toml").write_text(
        'directory_type = "workspace"\n[workspace]\n[[workspace.projects]]\npath = "locations/ss"\n'
    )
    definitions = copy / "locations" / "ss" / "src" / "dag_ss" / "definitions.py"
    definitions.write_text(definitions.read_text() + "\nimport dag_ss.a_module_that_does_not_exist\n")
    result = _dg_check_defs(copy)
    assert result.returncode != 0
    assert "a_module_that_does_not_exist" in result.stdout + result.stderr


@pytest.mark.parametrize("location", LOCATIONS)
def test_dg_list_defs_in_a_location_lists_that_locations_assets(location):
    project = ROOT / "locations" / location
    result = subprocess.run(
        [str(project / ".venv" / "bin" / "dg"), "list", "defs", "--json"],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
        env={**_without_instance_settings(), "VIRTUAL_ENV": str(project / ".venv")},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    listed = json.loads(result.stdout)
    # Assets another location owns appear too, declared by key and not executable here.
    keys = sorted(asset["asset_key"] for asset in listed.get("assets", []) if asset["is_executable"])
    assert keys == json.loads(SNAPSHOT.read_text())[location]["asset_keys"]
