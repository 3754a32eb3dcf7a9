"""Supervision of the local stack: crashed processes come back alone, dead locations are reloaded,
the embedded PostgreSQL is started again.

The restart policy is exercised on real short-lived processes; the rest on the real stack (one
shared for the module, with a short health interval and backoff),
killed with SIGKILL as an operator or the OOM killer would.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

import psutil
import pytest
from dag_shared.settings import LOCATIONS, repository_root

from dag_platform.processes import ManagedProcess
from dag_platform.restart_policy import RestartBudget, RestartPolicy
from dag_platform.supervisor import Supervisor
from dag_platform_testing.stack_harness import RunningStack, embedded_postgres_env

RUNS_QUERY = "query { runsOrError(limit: 5) { __typename ... on Runs { results { runId } } } }"


# -- the restart policy, on real processes ------------------------------------------------------


def _managed(name: str, code: str, folder: Path) -> ManagedProcess:
    return ManagedProcess(name, [sys.executable, "-c", code], {}, folder, folder / f"{name}.log", echo=False)


def test_a_process_that_keeps_dying_is_restarted_with_backoff_then_left_down(tmp_path, caplog):
    policy = RestartPolicy(max_restarts=3, backoff=0.1, stable_after=60)
    processes: dict[str, ManagedProcess] = {}
    supervisor = Supervisor(processes, policy)
    crash = "import sys; print('loading'); sys.exit(3)"
    processes["nps"] = _managed("nps", crash, tmp_path)
    processes["cd"] = _managed("cd", "import time; time.sleep(60)", tmp_path)
    supervisor.adopt("nps", lambda: _managed("nps", crash, tmp_path))
    supervisor.adopt("cd", lambda: _managed("cd", "import time; time.sleep(60)", tmp_path))
    healthy_pid = processes["cd"].pid
    caplog.set_level(logging.INFO, logger="dag_platform.stack")
    try:
        deadline = time.monotonic() + 30
        while not supervisor.is_given_up("nps") and time.monotonic() < deadline:
            supervisor.tick()
            time.sleep(0.02)
        for _ in range(20):  # once given up, further ticks leave it alone
            supervisor.tick()
        messages = [record.getMessage() for record in caplog.records]
        assert supervisor.is_given_up("nps"), messages
        for attempt, delay in ((1, 0.1), (2, 0.2), (3, 0.4)):
            assert any(
                "nps exited unexpectedly (exit code 3)" in m
                and f"in {delay:.1f}s (attempt {attempt} of 3)" in m
                for m in messages
            ), messages
        assert sum("nps restarted" in m for m in messages) == 3
        assert any("after 3 restarts; leaving it down" in m for m in messages), messages
        assert processes["cd"].pid == healthy_pid and processes["cd"].alive()
        assert not any(m.startswith("cd ") for m in messages)
    finally:
        supervisor.stop()
        for process in processes.values():
            process.stop(timeout=5)


def test_a_process_that_ran_long_enough_starts_again_from_the_first_attempt():
    policy = RestartPolicy(max_restarts=2, backoff=1, max_backoff=3, stable_after=10)
    budget = RestartBudget(policy)
    assert [budget.next_attempt(ran_for=1) for _ in range(3)] == [1, 2, None]
    assert budget.next_attempt(ran_for=10) == 1
    assert [policy.delay(attempt) for attempt in (1, 2, 3, 4)] == [1, 2, 3, 3]


# -- the real stack ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def stack():
    scratch = Path(tempfile.mkdtemp(prefix="dag-supervision-test-"))
    scratch.chmod(0o755)  # the embedded PostgreSQL runs as another user when the tests run as root
    extra_env = embedded_postgres_env() | {
        "DAG_HEALTH_INTERVAL_SECONDS": "1",
        "DAG_SUPERVISE_BACKOFF_SECONDS": "0.5",
        "DAG_SUPERVISE_MAX_RESTARTS": "3",
    }
    running = RunningStack(
        root=repository_root(),
        data_dir=scratch / "data",
        extra_env=extra_env,
    )
    try:
        with running.loaded():
            # Supervision (and the daemon) start once the launcher reports the platform ready.
            _wait(lambda: "platform ready" in running.output(), 60, "the stack never reported ready", running)
            yield running
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _wait(condition, timeout: float, what: str, stack: RunningStack):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.25)
    raise AssertionError(f"{what} within {timeout:.0f}s; launcher output:\n{stack.output()[-4000:]}")


def test_a_killed_code_proxy_is_restarted_alone_and_every_location_serves_again(stack):
    assert stack.serves("nps")
    before = stack.role_pids()
    postmaster = stack.postmaster_pid()
    assert set(before) == {"code-proxy", *LOCATIONS, "webserver", "daemon"}, before
    killed_at = time.monotonic()
    os.kill(before["code-proxy"], signal.SIGKILL)
    _wait(
        lambda: stack.role_pids().get("code-proxy") not in (None, before["code-proxy"]),
        30,
        "code-proxy was not restarted",
        stack,
    )
    for location in LOCATIONS:
        _wait(
            lambda location=location: stack.serves(location),
            120,
            f"{location} did not serve again",
            stack,
        )
    print(
        f"\nall {len(LOCATIONS)} locations back {time.monotonic() - killed_at:.1f}s after kill -9 of code-proxy"
    )
    after = stack.role_pids()
    assert {name: after[name] for name in ("webserver", "daemon")} == {
        name: before[name] for name in ("webserver", "daemon")
    }
    assert all(after[location] != before[location] for location in LOCATIONS), "definitions servers not new"
    assert stack.postmaster_pid() == postmaster
    assert stack.process.poll() is None
    assert "code-proxy exited unexpectedly (exit code -9)" in stack.output()
    assert "code-proxy restarted (attempt 1 of 3" in stack.output()
    _wait(
        lambda: all(status.usable for status in stack.graphql.locations().values()),
        30,
        "every location usable again",
        stack,
    )


def test_a_killed_definitions_server_is_reloaded_without_anyone_pressing_reload(stack):
    assert stack.serves("cd")
    code_server, definitions = stack.code_server_pids()["cd"]
    assert definitions is not None
    killed_at = time.monotonic()
    os.kill(definitions, signal.SIGKILL)
    # Within seconds when the watch has seen this code server answer; when it was restarted (the
    # code-proxy test before this one) and killed before that, after its startup grace (60 s).
    _wait(
        lambda: stack.code_server_pids()["cd"][1] not in (None, definitions),
        120,
        "cd got no new definitions server",
        stack,
    )
    _wait(
        lambda: stack.serves("cd"),
        60,
        "cd did not answer again",
        stack,
    )
    print(f"\ncd reloaded {time.monotonic() - killed_at:.1f}s after kill -9 of its definitions server")
    assert stack.code_server_pids()["cd"][0] == code_server, "the cd code server itself must be kept"
    output = stack.output()
    assert "cd: code server" in output and "reloading the location" in output
    # The webserver may keep the first reload's error for a moment: the launcher reloads once more.
    _wait(
        lambda: "cd: reloaded" in stack.output() and stack.graphql.locations()["cd"].usable,
        30,
        "cd was not reported reloaded and usable",
        stack,
    )


def test_a_killed_embedded_postgres_is_started_again_and_runs_answer(stack):
    before = stack.role_pids()
    postmaster = stack.postmaster_pid()
    assert postmaster is not None
    killed_at = time.monotonic()
    os.kill(postmaster, signal.SIGKILL)
    _wait(
        lambda: stack.postmaster_pid() not in (None, postmaster),
        60,
        "the embedded PostgreSQL was not started again",
        stack,
    )

    def runs_answer() -> bool:
        client = stack.graphql
        try:
            return client.query(RUNS_QUERY)["runsOrError"]["__typename"] == "Runs"
        except Exception:  # noqa: BLE001 - HTTP 500 or GraphQL errors until the storage answers
            return False
        finally:
            client.close()

    _wait(runs_answer, 60, "runs did not answer after the restart", stack)
    print(f"\nruns answer {time.monotonic() - killed_at:.1f}s after kill -9 of the embedded postmaster")
    # The launcher logs the restart once the server accepts connections, which may follow the first answer.
    _wait(lambda: "embedded PostgreSQL restarted" in stack.output(), 30, "no restart was logged", stack)
    output = stack.output()
    assert "embedded PostgreSQL is down" in output and "embedded PostgreSQL restarted" in output
    assert {name: stack.role_pids().get(name) for name in LOCATIONS} == {
        name: before[name] for name in LOCATIONS
    }
    assert stack.process.poll() is None
    assert psutil.Process(stack.process.pid).is_running()
