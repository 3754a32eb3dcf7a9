"""The location's shape (issue 18): definitions load from `defs/` without heavy imports, `lib/`
knows nothing of Dagster or `defs/`, modules stay small and say why they exist, and settings are
read when a run starts, so a changed variable needs no reload."""

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import dagster as dg
from cd_support import imported_by_the_definitions
from dag_cd.lib.krx import SAMPLE_SNAPSHOT_DIR

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "dag_cd"
HEAVY = ("polars", "duckdb", "numba", "psycopg", "pykrx", "boto3", "PIL")


def _modules(folder: str) -> list[Path]:
    return sorted((PACKAGE / folder).rglob("*.py"))


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_loading_the_imported_by_the_definitionss_no_heavy_library():
    loaded = imported_by_the_definitions(HEAVY)
    assert loaded.strip() == ""


def test_lib_imports_neither_dagster_nor_defs():
    modules = [
        ".".join(("dag_cd", *p.relative_to(PACKAGE).with_suffix("").parts)).removesuffix(".__init__")
        for p in _modules("lib")
    ]
    code = (
        f"import importlib, sys; [importlib.import_module(m) for m in {modules!r}]; "
        "print(','.join(m for m in sys.modules if m == 'dagster' or m.startswith('dag_cd.defs')))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == ""
    for path in _modules("lib"):  # not even inside a function
        assert not {
            m for m in _imports(path) if m == "dagster" or m.startswith(("dagster.", "dag_cd.defs"))
        }, path


def test_every_module_is_small_and_says_why_it_exists():
    for path in sorted(PACKAGE.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        assert len(text.splitlines()) < 400, path
        assert ast.get_docstring(ast.parse(text)) or path.name == "__init__.py" and not text.strip(), path


def test_a_changed_snapshot_dir_takes_effect_in_the_next_run_without_reloading(
    postgres_url, data_dir, tmp_path, monkeypatch
):
    from dag_cd.definitions import defs

    monkeypatch.setenv("CD_POSTGRES_URL", postgres_url)
    monkeypatch.delenv("CD_KRX_SOURCE", raising=False)
    first, second = tmp_path / "first", tmp_path / "second"
    shutil.copytree(SAMPLE_SNAPSHOT_DIR, first)
    shutil.copytree(SAMPLE_SNAPSHOT_DIR, second)
    stockcode = [defs.resolve_assets_def(dg.AssetKey("cd_stockcode"))]
    origins = []
    for folder in (first, second):
        monkeypatch.setenv("CD_KRX_SNAPSHOT_DIR", str(folder))
        result = dg.materialize(stockcode, partition_key="2024-01-02|KOSPI")
        [event] = result.get_asset_materialization_events()
        origins.append(event.materialization.metadata["origin"].value)
    assert origins[0].startswith(str(first)) and origins[1].startswith(str(second))


def test_a_wrong_local_snapshot_fails_at_once_although_krx_steps_retry(
    postgres_url, data_dir, tmp_path, monkeypatch
):
    from dag_cd.definitions import defs

    monkeypatch.setenv("CD_POSTGRES_URL", postgres_url)
    monkeypatch.setenv("CD_KRX_SNAPSHOT_DIR", str(tmp_path / "empty"))  # no snapshot at all
    stockcode = defs.resolve_assets_def(dg.AssetKey("cd_stockcode"))
    assert stockcode.op.retry_policy is not None and stockcode.op.retry_policy.max_retries == 2
    result = dg.materialize([stockcode], partition_key="2024-01-02|KOSPI", raise_on_error=False)
    assert not result.success
    assert not [e for e in result.all_events if e.event_type == dg.DagsterEventType.STEP_UP_FOR_RETRY]
    [failure] = [e for e in result.all_events if e.is_step_failure]
    assert (
        "KRX has no ticker list for trading day 2024-01-02 KOSPI"
        in failure.event_specific_data.error.to_string()
    )
