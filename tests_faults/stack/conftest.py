"""One local stack (`make dev`'s topology) shared by the fault and load tests, on the embedded
PostgreSQL in a temporary data directory, with short health and restart intervals so recoveries
show within seconds."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
from dag_shared.settings import repository_root

from dag_platform_testing.faults import wait_for
from dag_platform_testing.stack_harness import RunningStack, embedded_postgres_env


@pytest.fixture(scope="session")
def stack():
    scratch = Path(tempfile.mkdtemp(prefix="dag-faults-"))
    scratch.chmod(0o755)  # the embedded PostgreSQL runs as another user when the tests run as root
    extra_env = embedded_postgres_env() | {
        "DAG_HEALTH_INTERVAL_SECONDS": "1",
        "DAG_SUPERVISE_BACKOFF_SECONDS": "0.5",
        "DAG_SUPERVISE_MAX_RESTARTS": "3",
    }
    running = RunningStack(root=repository_root(), data_dir=scratch / "data", extra_env=extra_env)
    try:
        with running.loaded():
            wait_for(lambda: "platform ready" in running.output(), 60, "the stack reporting ready")
            yield running
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
