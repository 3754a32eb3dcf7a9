"""A code server that dies while the stack starts is reported with what it printed."""

import sys

import pytest

from dag_platform.grpc_health import wait_until_serving
from dag_platform.processes import ManagedProcess


def test_a_code_server_that_exits_before_serving_is_reported_with_its_last_output(tmp_path):
    crash = "import sys; print('loading dag_ds'); sys.exit('ModuleNotFoundError: No module named dag_ds')"
    process = ManagedProcess(
        "ds", [sys.executable, "-c", crash], {}, tmp_path, tmp_path / "logs" / "ds.log", echo=False
    )
    process.process.wait(timeout=30)
    try:
        with pytest.raises(RuntimeError) as failure:
            wait_until_serving(
                {"ds": ("127.0.0.1", 9)},
                timeout=5,
                alive=lambda name: process.alive(),
                last_output=lambda name: process.last_output(),
            )
    finally:
        process.stop()
    assert "code server ds exited before serving" in str(failure.value)
    assert "loading dag_ds" in str(failure.value)
    assert "No module named dag_ds" in str(failure.value)
