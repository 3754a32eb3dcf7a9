"""Pytest fixtures shared by every suite: a real Postgres server and throw-away databases.

With DAG_TEST_POSTGRES_URL set, tests use that server; otherwise they start an embedded
PostgreSQL in a temporary folder, so suites pass on a machine without Postgres. Enable with
`pytest_plugins = ["dag_shared.testing"]` in a conftest.
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from dag_shared.embedded_postgres import EmbeddedPostgres, drop_database, ensure_database, free_port
from dag_shared.settings import env


def pytest_configure(config: pytest.Config) -> None:
    """A location's suite runs its assets as its code server does: instrumented.

    `dag_<location>.definitions` applies `dag_shared.instrumentation.instrument` to the asset
    objects its modules define; importing it before collection means every test that runs one of
    those assets (directly or through the definitions) gets the run-time rules: a missing
    `dagster/row_count` fails, execution time and peak memory are recorded, PII is masked and
    audited. The location is the suite's root folder (`locations/<location>`).
    """
    import importlib.util

    from dag_shared.locations import LOCATIONS
    from dag_shared.locations import location as registered

    location = Path(str(config.rootpath)).name
    if location not in LOCATIONS:
        return  # the platform suite, run from the repository root
    module = registered(location).definitions_module
    if importlib.util.find_spec(module.split(".")[0]) is not None:
        importlib.import_module(module)


@pytest.fixture(scope="session")
def postgres_server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """URL of a Postgres server (database `postgres`) the tests may create databases on."""
    configured = env("DAG_TEST_POSTGRES_URL")
    if configured:
        yield configured
        return
    # Not under pytest's basetemp: another pytest session on the machine may tighten its mode or
    # prune it, and the server runs as another user when tests run as root.
    folder = Path(tempfile.mkdtemp(prefix="dag-test-postgres-"))
    server = EmbeddedPostgres(folder / "data", free_port())
    url = server.start()
    try:
        yield url
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def postgres_url(postgres_server_url: str) -> Iterator[str]:
    """A fresh, empty database for one test, dropped afterwards."""
    name = f"dag_test_{uuid.uuid4().hex[:12]}"
    url = ensure_database(postgres_server_url, name)
    try:
        yield url
    finally:
        drop_database(postgres_server_url, name)


@pytest.fixture
def data_dir(tmp_path, monkeypatch: pytest.MonkeyPatch):
    """An isolated DAG_DATA_DIR for one test."""
    path = tmp_path / "dag-data"
    path.mkdir()
    monkeypatch.setenv("DAG_DATA_DIR", str(path))
    return path
