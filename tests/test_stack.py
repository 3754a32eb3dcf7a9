"""The real local stack: Postgres, one code server per location, daemon and webserver, driven over GraphQL.

It runs on a temporary copy of the repository (so one location's code can be broken without
touching the checkout), once on the embedded PostgreSQL and once on a configured server when
DAG_TEST_POSTGRES_URL is set.
"""

from __future__ import annotations

import shutil
import tempfile
import time
import uuid
from pathlib import Path

import psutil
import pytest
from dag_shared.embedded_postgres import drop_database, ensure_database
from dag_shared.settings import LOCATIONS, env, repository_root

from dag_platform.config import load_config
from dag_platform_testing.stack_harness import RunningStack, copy_repository, embedded_postgres_env


@pytest.fixture(scope="module")
def scratch():
    """A folder outside pytest's basetemp, which other pytest sessions may tighten or prune, while
    the embedded PostgreSQL runs as another user."""
    folder = Path(tempfile.mkdtemp(prefix="dag-stack-test-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def repository_copy(scratch):
    # Only ss is edited (broken, then restored): the other locations keep the checkout's environments.
    return copy_repository(repository_root(), scratch / "checkout", locations=("ss",), link_the_others=True)


def _external_databases(server_url: str) -> dict[str, str]:
    suffix = uuid.uuid4().hex[:8]
    urls = {"DAGSTER_POSTGRES_URL": ensure_database(server_url, f"dag_stack_{suffix}")}
    for location in LOCATIONS:
        urls[f"{location.upper()}_POSTGRES_URL"] = ensure_database(
            server_url, f"dag_stack_{suffix}_{location}"
        )
    return urls


@pytest.fixture(scope="module", params=["embedded", "configured"])
def stack(request, repository_copy, scratch):
    extra_env: dict[str, str] = {}
    if request.param == "configured":
        server_url = env("DAG_TEST_POSTGRES_URL")
        if not server_url:
            pytest.skip("DAG_TEST_POSTGRES_URL is not set: only the embedded default is exercised")
        extra_env = _external_databases(server_url)
    else:
        extra_env = embedded_postgres_env()
    running = RunningStack(
        root=repository_copy, data_dir=scratch / request.param / "data", extra_env=extra_env
    )
    try:
        with running.loaded():
            yield running
    finally:
        if request.param == "configured":
            for url in extra_env.values():
                drop_database(env("DAG_TEST_POSTGRES_URL"), url.rsplit("/", 1)[-1])


def test_all_registered_locations_are_loaded(stack):
    client = stack.graphql
    statuses = client.locations()
    assert sorted(statuses) == sorted(LOCATIONS)
    assert all(status.usable for status in statuses.values()), statuses


def test_reloading_one_location_restarts_only_that_location(stack):
    before = stack.code_server_pids()
    status = stack.graphql.reload("ds")
    assert status.usable, status
    after = stack.code_server_pids()
    for location in LOCATIONS:
        if location != "ds":
            assert after[location] == before[location], f"{location} was restarted by reloading ds"
    assert after["ds"][0] == before["ds"][0], "the ds code server process itself must survive its reload"
    assert after["ds"][1] != before["ds"][1], "reloading ds did not start a new server for its definitions"
    assert all(s.usable for s in stack.graphql.locations().values())


def _thread_niceness(pid: int) -> set[int]:
    """The nice value of every thread of `pid` (field 19 of /proc/PID/task/TID/stat)."""
    values = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
        values.add(int(fields[16]))
    return values


def test_the_daemon_yields_the_cores_to_the_webserver_and_the_code_servers(stack):
    roles = stack.role_pids()
    assert _thread_niceness(roles["daemon"]) == {10}, "every daemon thread runs at DAG_DAEMON_NICENESS"
    assert _thread_niceness(roles["webserver"]) == {0}
    assert all(_thread_niceness(roles[location]) == {0} for location in LOCATIONS)


def test_a_daemon_niceness_out_of_range_is_refused_naming_the_variable(monkeypatch):
    monkeypatch.setenv("DAG_DAEMON_NICENESS", "-5")
    with pytest.raises(ValueError, match="DAG_DAEMON_NICENESS must be a whole number from 0 to 19, not '-5'"):
        load_config(repository_root())


def test_a_location_that_fails_to_import_shows_its_error_while_the_others_stay_loaded(stack):
    definitions = stack.root / "locations" / "ss" / "src" / "dag_ss" / "definitions.py"
    original = definitions.read_text()
    definitions.write_text(original + "\nimport dag_ss.a_module_that_does_not_exist\n")
    try:
        broken = stack.graphql.reload("ss")
        assert broken.outcome == "PythonError"
        assert "a_module_that_does_not_exist" in broken.error
        statuses = stack.graphql.locations()
        assert statuses["ss"].outcome == "PythonError"
        assert all(statuses[name].usable for name in LOCATIONS if name != "ss"), statuses
        jobs = stack.graphql.query(
            """query { repositoryOrError(repositorySelector: {repositoryLocationName: "nps", repositoryName: "__repository__"})
               { __typename } }"""
        )
        assert jobs["repositoryOrError"]["__typename"] == "Repository"
    finally:
        definitions.write_text(original)
    assert stack.graphql.reload("ss").usable


def test_a_queued_run_is_launched_by_the_daemon_in_the_locations_own_environment(stack):
    client = stack.graphql
    run_id = client.launch_assets("nps", ["nps_his_download"], tags={"dagster/partition": "2022-04"})
    run = client.wait_for_run(run_id, timeout=240)
    tags = {tag["key"]: tag["value"] for tag in run["tags"]}
    assert run["status"] == "SUCCESS", stack.output()[-3000:]
    assert tags["dagster/code_location"] == "nps"  # the fair-share concurrency key of dagster.yaml
    assert any((stack.data_dir / "nps").rglob("*2022*")), (
        "the run left no downloaded month in the data directory"
    )


def test_stopping_the_stack_leaves_no_process_behind(stack):
    expected = {"code-proxy", *LOCATIONS, "webserver", "daemon"}
    deadline = time.monotonic() + 60  # the daemon starts once the locations are loaded
    while set(roles := stack.role_pids()) != expected and time.monotonic() < deadline:
        time.sleep(0.5)
    assert set(roles) == expected, roles
    members = {(proc.pid, proc.create_time()): proc for proc in stack.processes()}
    assert set(roles.values()) <= {pid for pid, _ in members}  # and the launcher, and an embedded postgres
    assert stack.stop() == 0
    deadline = time.monotonic() + 10  # a process may take a moment to vanish once it has exited
    while (
        survivors := [proc for proc in members.values() if _still_running(proc)]
    ) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert survivors == [], [" ".join(proc.cmdline()) for proc in survivors]
    assert "stack stopped" in stack.output()


def _still_running(proc: psutil.Process) -> bool:
    try:
        return (
            proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE
        )  # is_running also detects PID reuse
    except psutil.NoSuchProcess:
        return False
