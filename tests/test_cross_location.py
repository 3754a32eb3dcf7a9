"""Across locations: a dependency between two locations is an asset key, never an import.

`nps_listed_company_pension` (nps) is built from `cd_listed_companies` (cd). The nps code must not
import dag_cd (nor any location another's package), and the federated webserver's global asset
graph must still show the edge between the two locations.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from dag_shared.settings import LOCATIONS, repository_root
from platform_locations import location_python

from dag_platform_testing.stack_harness import RunningStack, copy_repository, embedded_postgres_env

ROOT = repository_root()
ASSET_NODES = """
query CrossLocationGraph {
  assetNodes {
    assetKey { path }
    isMaterializable
    repository { location { name } }
    dependencyKeys { path }
    dependedByKeys { path }
  }
}
"""


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
    others = {f"dag_{other}" for other in LOCATIONS if other != location}
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


@pytest.fixture(scope="module")
def stack():
    scratch = Path(tempfile.mkdtemp(prefix="dag-cross-location-"))
    try:
        running = RunningStack(
            root=copy_repository(ROOT, scratch / "checkout"),
            data_dir=scratch / "data",
            extra_env=embedded_postgres_env(),
        )
        with running.loaded():
            yield running
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def test_the_global_asset_graph_shows_the_edge_from_cd_listed_companies_to_the_nps_product(stack):
    client = stack.graphql
    try:
        nodes = client.query(ASSET_NODES)["assetNodes"]
    finally:
        client.close()
    by_key: dict[str, list[dict]] = {}
    for node in nodes:
        by_key.setdefault("/".join(node["assetKey"]["path"]), []).append(node)
    owners = [
        n["repository"]["location"]["name"] for n in by_key["cd_listed_companies"] if n["isMaterializable"]
    ]
    assert owners == ["cd"]
    (product,) = by_key["nps_listed_company_pension"]
    assert product["repository"]["location"]["name"] == "nps"
    assert ["cd_listed_companies"] in [k["path"] for k in product["dependencyKeys"]]
    cd_node = next(n for n in by_key["cd_listed_companies"] if n["isMaterializable"])
    assert ["nps_listed_company_pension"] in [k["path"] for k in cd_node["dependedByKeys"]]
