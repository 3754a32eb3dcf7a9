"""The container stack, run for real: images built, compose up, runs in per-location containers,
one team redeployed, down and up again, a broken image, non-root containers, no baked-in secret.

Run by `make test-compose` (scripts/test-compose.sh), which provides a Docker engine and the base
images; not part of `make test`. Everything happens on a copy of the checkout with its own `.env`.
The phase times and image sizes are printed at the end.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from dag_shared.settings import LOCATIONS, repository_root

from dag_platform_testing.compose_harness import ComposeStack
from dag_platform_testing.image_scan import files_holding
from dag_platform_testing.stack_harness import copy_checkout

pytestmark = pytest.mark.skipif(
    subprocess.run(["docker", "info"], capture_output=True, check=False).returncode != 0,
    reason="no Docker engine answers (make test-compose starts one)",
)

CODE_SERVICES = [f"code-{location}" for location in LOCATIONS]
SERVICES = ["postgres", *CODE_SERVICES, "webserver", "daemon"]
NPS_MONTH = "2022-04"
CD_PARTITION = "2024-01-02|KOSPI"


def _wait(condition, timeout: float, what: str, stack: ComposeStack, services: tuple[str, ...] = ()):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = condition()
            if last:
                return last
        except Exception as error:  # noqa: BLE001 - not ready yet; reported on timeout
            last = error
        time.sleep(2)
    raise AssertionError(f"{what} within {timeout:.0f}s (last: {last})\n{stack.logs(*services)}")


def _all_loaded(stack: ComposeStack) -> dict:
    statuses = stack.graphql.locations()
    return (
        statuses if sorted(statuses) == sorted(LOCATIONS) and all(s.usable for s in statuses.values()) else {}
    )


@pytest.fixture(scope="module")
def stack():
    scratch = Path(tempfile.mkdtemp(prefix="dag-compose-test-"))
    socket = os.environ.get("DAG_DOCKER_SOCKET", "/var/run/docker.sock")
    running = ComposeStack(root=copy_checkout(repository_root(), scratch / "checkout"), socket=socket)
    running.write_env()
    running.compose("down", "-v", "--remove-orphans", check=False)  # a previous run's leftovers
    try:
        # migrate: the host image of webserver and daemon; nps and ss are redeployed by the tests.
        running.build_images(["migrate", *CODE_SERVICES], keep_cache_for=("code-nps", "code-ss"))
        started = time.monotonic()
        running.compose("up", "-d", timeout=900)
        _wait(lambda: _all_loaded(running), 600, "all locations LOADED", running, ("webserver",))
        running.timings["up to all locations LOADED"] = time.monotonic() - started
        yield running
    finally:
        running.compose("down", "-v", "--remove-orphans", timeout=300, check=False)
        _report(running)


def _report(stack: ComposeStack) -> None:
    lines = [f"  {phase:<40} {seconds:7.1f} s" for phase, seconds in stack.timings.items()]
    images = ["dag-platform/dag-host:dev", *(f"dag-platform/dag-{location}:dev" for location in LOCATIONS)]
    sizes = {}
    for image in images:
        try:
            sizes[image] = stack.image_size(image)
        except subprocess.CalledProcessError:
            continue
    lines += [f"  {image:<40} {size / 1e6:7.0f} MB" for image, size in sizes.items()]
    lines.append(f"  {'all images':<40} {sum(sizes.values()) / 1e6:7.0f} MB")
    print("\ncontainer stack phases and image sizes:\n" + "\n".join(lines))


def _run_container(stack: ComposeStack, run_id: str) -> dict:
    """The container the DockerRunLauncher started for a run (it records the id as a run tag)."""
    run = stack.graphql.query(
        "query($id: ID!) { runOrError(runId: $id) { ... on Run { tags { key value } } } }", {"id": run_id}
    )["runOrError"]
    tags = {tag["key"]: tag["value"] for tag in run["tags"]}
    return stack.inspect(tags["docker/container_id"])


def test_postgres_the_migration_and_every_code_server_are_healthy_and_every_location_loaded(stack):
    assert stack.health("postgres") == "healthy"
    migrate = stack.inspect(stack.compose("ps", "-a", "-q", "migrate").stdout.strip())["State"]
    assert migrate["Status"] == "exited" and migrate["ExitCode"] == 0, migrate
    for service in CODE_SERVICES:
        _wait(lambda s=service: stack.health(s) == "healthy", 240, f"{service} healthy", stack, (service,))
    assert stack.inspect(stack.container_id("daemon"))["State"]["Running"]
    assert stack.inspect(stack.container_id("webserver"))["State"]["Running"]
    assert sorted(_all_loaded(stack)) == sorted(LOCATIONS)


def test_an_nps_month_and_a_cd_partition_run_in_fresh_containers_of_their_own_images(stack):
    client = stack.graphql
    started = time.monotonic()
    nps_run = client.launch_job("nps", "nps_history_job", {"dagster/partition": NPS_MONTH})
    cd_run = client.launch_job("cd", "cd_daily_update_job", {"dagster/partition": CD_PARTITION})
    for run_id in (nps_run, cd_run):
        run = client.wait_for_run(run_id, timeout=900)
        assert run["status"] == "SUCCESS", (run, stack.logs("daemon"))
    stack.timings["NPS month + CD partition runs"] = time.monotonic() - started
    for run_id, location in ((nps_run, "nps"), (cd_run, "cd")):
        container = _run_container(stack, run_id)
        assert container["Config"]["Image"] == f"dag-platform/dag-{location}:dev"
        assert container["Id"] != stack.inspect(stack.container_id(f"code-{location}"))["Id"]
        assert container["Config"]["Cmd"][:3] == ["dagster", "api", "execute_run"]
    assert (
        int(stack.psql("nps", f"SELECT count(*) FROM pension WHERE data_created_ym = '{NPS_MONTH}-01'")) > 0
    )
    assert int(stack.psql("cd", "SELECT count(*) FROM security WHERE exchange = 'KOSPI'")) > 0


def test_make_deploy_restarts_only_that_location_and_the_ui_shows_the_change(stack):
    before = {service: stack.inspect(stack.container_id(service)) for service in SERVICES}
    module = stack.root / "locations/nps/src/dag_nps/defs/nps_his_download.py"
    text = module.read_text()
    marker = "Redeployed by the container-stack test."
    assert 'description="' in text
    module.write_text(text.replace('description="', f'description="{marker} ', 1))
    started = time.monotonic()
    stack.make("deploy", "LOCATION=nps")
    after = {service: stack.inspect(stack.container_id(service)) for service in SERVICES}
    assert after["code-nps"]["Id"] != before["code-nps"]["Id"]
    for service in SERVICES:
        if service != "code-nps":
            assert after[service]["Id"] == before[service]["Id"], service
            assert after[service]["State"]["StartedAt"] == before[service]["State"]["StartedAt"], service

    def shows_the_change():
        node = stack.graphql.query(
            'query { assetNodeOrError(assetKey: {path: ["nps_his_download"]}) { ... on AssetNode { description } } }'
        )["assetNodeOrError"]
        return marker in (node.get("description") or "") and _all_loaded(stack)

    _wait(shows_the_change, 300, "the redeployed description in the UI", stack, ("webserver", "code-nps"))
    stack.timings["make deploy LOCATION=nps until the UI shows it"] = time.monotonic() - started


def test_down_and_up_keep_the_run_history_and_the_warehouse_rows(stack):
    runs_before = stack.graphql.query("query { runsOrError { ... on Runs { results { runId } } } }")
    run_ids = {run["runId"] for run in runs_before["runsOrError"]["results"]}
    rows_before = stack.psql("nps", "SELECT count(*) FROM pension")
    assert run_ids and int(rows_before) > 0
    stack.compose("down", timeout=300)
    stack.compose("up", "-d", timeout=900)
    _wait(lambda: _all_loaded(stack), 600, "all locations LOADED after down/up", stack, ("webserver",))
    runs_after = stack.graphql.query("query { runsOrError { ... on Runs { results { runId } } } }")
    assert run_ids <= {run["runId"] for run in runs_after["runsOrError"]["results"]}
    assert stack.psql("nps", "SELECT count(*) FROM pension") == rows_before


def test_a_broken_location_image_shows_its_error_while_the_other_locations_stay_loaded(stack):
    definitions = stack.root / "locations/ss/src/dag_ss/definitions.py"
    original = definitions.read_text()
    definitions.write_text(original + "\nimport a_module_that_does_not_exist  # noqa\n")
    try:
        stack.make("deploy", "LOCATION=ss")

        def error_shown():
            statuses = stack.graphql.locations()
            ss = statuses.get("ss")
            others_loaded = all(statuses[name].usable for name in LOCATIONS if name != "ss")
            return (
                ss is not None
                and not ss.usable
                and "a_module_that_does_not_exist" in (ss.error or "")
                and others_loaded
            )

        _wait(error_shown, 300, "the ss import error in the UI with the others loaded", stack, ("code-ss",))
    finally:
        definitions.write_text(original)
        stack.make("deploy", "LOCATION=ss")
    _wait(lambda: _all_loaded(stack), 300, "ss loaded again after the fix", stack, ("code-ss",))


def _process_uids(stack: ComposeStack, service: str) -> set[str]:
    """Numeric uids of every process of the service's container, read by the host's ps."""
    top = subprocess.run(
        ["docker", "top", stack.container_id(service), "-eo", "pid,uid"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    return {line.split()[1] for line in top[1:] if line.strip()}


def test_no_container_runs_a_process_as_root(stack):
    for service in [*CODE_SERVICES, "webserver", "daemon"]:
        assert _process_uids(stack, service) == {"10001"}, service
    # `user: postgres`: the server and its healthcheck (an exec every 5 s) alike; sampled over more
    # than one healthcheck interval, since the check's process lives for a moment only.
    seen: set[str] = set()
    deadline = time.monotonic() + 6
    while time.monotonic() < deadline:
        seen |= _process_uids(stack, "postgres")
        time.sleep(0.05)
    assert "0" not in seen, seen


def test_no_secret_value_is_baked_into_an_image(stack):
    password = stack.env["POSTGRES_PASSWORD"]
    images = ["dag-platform/dag-host:dev", *(f"dag-platform/dag-{location}:dev" for location in LOCATIONS)]
    for image in images:
        history = subprocess.run(
            ["docker", "history", "--no-trunc", image], capture_output=True, text=True, check=True
        ).stdout
        assert password not in history, image
        holding = files_holding(image, password.encode())
        assert not holding, f"{image} holds the password in {holding[:5]}"
