"""The local launcher's run-worker health check, which run monitoring uses to end a run whose
worker died (for example with its code server) instead of leaving it STARTED."""

from __future__ import annotations

import os
import subprocess
import sys

import dagster as dg
import pytest
from dag_shared.run_launcher import LocalProcessRunLauncher
from dagster._core.events import EngineEventData
from dagster._core.launcher.base import WorkerStatus


@dg.op
def noop() -> None:
    return None


@dg.job
def a_job():
    noop()


@pytest.fixture
def instance_and_run():
    with dg.instance_for_test() as instance:
        launcher = LocalProcessRunLauncher()
        launcher.register_instance(instance)
        run = instance.create_run_for_job(a_job)
        yield instance, launcher, run


def _record_worker(instance, run, pid: int) -> None:
    instance.report_engine_event(
        f"Started process for run (pid: {pid}).", run, EngineEventData.in_process(pid)
    )


def test_a_live_worker_is_running(instance_and_run):
    instance, launcher, run = instance_and_run
    _record_worker(instance, run, os.getpid())
    assert launcher.check_run_worker_health(run).status == WorkerStatus.RUNNING
    assert launcher.worker_pid(run) == os.getpid()


def test_a_worker_that_is_gone_fails_the_check_naming_its_pid(instance_and_run):
    instance, launcher, run = instance_and_run
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    _record_worker(instance, run, gone.pid)
    result = launcher.check_run_worker_health(run)
    assert result.status == WorkerStatus.FAILED
    assert str(gone.pid) in result.msg


def test_no_recorded_worker_yet_is_not_a_failure(instance_and_run):
    _, launcher, run = instance_and_run
    assert launcher.supports_check_run_worker_health
    assert launcher.check_run_worker_health(run).status == WorkerStatus.RUNNING
