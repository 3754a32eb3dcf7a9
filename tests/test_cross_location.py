"""Across locations: a dependency between two locations is an asset key, never an import.

`nps_listed_company_pension` (nps) is built from `cd_listed_companies` (cd). The nps code must not
import dag_cd (nor any location another's package). The federated webserver's global asset graph
shows the edge between the two locations: `test_stack_cross_location.py`, on the stack that also
runs the product.
"""

from __future__ import annotations

import ast
import subprocess
from pathlib import Path

import pytest
from dag_shared.locations import location as registered
from dag_shared.settings import LOCATIONS, repository_root
from platform_locations import location_python

ROOT = repository_root()


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("location", LOCATIONS)
def test_no_location_imports_another_locations_package(location):
    others = {registered(other).module for other in LOCATIONS if other != location}
    folder = ROOT / "locations" / location
    offenders = [
        f"{path.relative_to(ROOT)}: {module}"
        for path in sorted(folder.rglob("*.py"))
        if ".venv" not in path.parts
        for module in sorted(_imported_modules(path))
        if module.split(".")[0] in others
    ]
    assert offenders == []


def test_the_nps_definitions_load_without_dag_cd_which_its_environment_does_not_even_have():
    code = (
        "import importlib.util, sys, dag_nps.definitions as d; d.defs.get_repository_def(); "
        "print(importlib.util.find_spec('dag_cd') is None, any(m.startswith('dag_cd') for m in sys.modules))"
    )
    result = subprocess.run(
        [str(location_python("nps")), "-c", code],
        capture_output=True,
        text=True,
        cwd=ROOT / "locations" / "nps",
        check=True,
    )
    assert result.stdout.split() == ["True", "False"]
