"""Cold start of the local stack versus `dagster dev` on the same locations (the registry's six).

Run: `uv run python bench/bench_stack_cold_start.py`. For each, the figure is the seconds from the
command to all locations LOADED (polled over GraphQL) and the resident memory of every process
it started, on a fresh data directory (the stack's includes initialising its embedded Postgres).
`dagster dev` (the baseline) loads the same modules from the same environments through a workspace
of `python_module` entries with each location's interpreter. Targets: ≤ 20 s and RSS ≤ 1.3 GB
(issue #19; bench/bench_stack_memory.py breaks the memory down per process).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
from dag_shared.embedded_postgres import free_port
from dag_shared.locations import LOCATIONS
from dag_shared.locations import location as registered

from dag_platform.graphql import DagsterGraphQL
from dag_platform_testing.stack_harness import RunningStack, resident_memory

ROOT = Path(__file__).resolve().parents[1]


def process_tree(pid: int) -> list[psutil.Process]:
    root = psutil.Process(pid)
    return [root, *root.children(recursive=True)]


def wait_loaded(port: int, process: subprocess.Popen, timeout: float = 300) -> None:
    client = DagsterGraphQL(f"http://127.0.0.1:{port}")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("process exited before loading")
        try:
            statuses = client.locations()
            if len(statuses) == len(LOCATIONS) and all(s.usable for s in statuses.values()):
                return
        except Exception:  # noqa: BLE001, S110 - not answering yet
            pass
        time.sleep(0.1)
    raise TimeoutError("not loaded")


def measure_stack(workdir: Path) -> tuple[float, tuple[int, int], tuple[int, int]]:
    """(seconds, (RSS, PSS) of everything, (RSS, PSS) of the Dagster processes alone)."""
    data_dir = workdir / "stack" / "data"
    data_dir.mkdir(parents=True)
    stack = RunningStack(root=ROOT, data_dir=data_dir, extra_env={"DAGSTER_POSTGRES_URL": ""})
    stack.start()
    try:
        statuses = stack.wait_until_loaded(timeout=300)
        elapsed = time.monotonic() - stack.started_at
        assert all(s.usable for s in statuses.values()), statuses
        time.sleep(2)  # let background threads settle before reading memory
        everything = stack.processes()
        launcher_pid = stack.process.pid
        dagster = [p for p in everything if p.pid != launcher_pid and p.name() != "postgres"]
        return elapsed, resident_memory(everything), resident_memory(dagster)
    finally:
        stack.stop()


def measure_dagster_dev(workdir: Path) -> tuple[float, tuple[int, int]]:
    home = workdir / "dev-home"
    home.mkdir()
    workspace = workdir / "dev-workspace.yaml"
    entries = ["load_from:"]
    for location in LOCATIONS:
        project = ROOT / "locations" / location
        entries += [
            "  - python_module:",
            f"      module_name: {registered(location).definitions_module}",
            f"      location_name: {location}",
            f"      executable_path: {project / '.venv' / 'bin' / 'python'}",
            f"      working_directory: {project}",
        ]
    workspace.write_text("\n".join(entries) + "\n")
    port = free_port()
    env = {**os.environ, "DAGSTER_HOME": str(home)}
    started = time.monotonic()
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "dagster"), "dev", "-w", str(workspace), "-p", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_loaded(port, process)
        elapsed = time.monotonic() - started
        time.sleep(2)
        return elapsed, resident_memory(process_tree(process.pid))
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        stack_seconds, (stack_rss, stack_pss), (dagster_rss, dagster_pss) = measure_stack(Path(tmp))
        dev_seconds, (dev_rss, dev_pss) = measure_dagster_dev(Path(tmp))
    gib = 1024**3
    print(f"{'':<22} {'to ' + str(len(LOCATIONS)) + ' LOADED':>12} {'RSS sum':>9} {'PSS sum':>9}")
    print(
        f"{'make dev stack':<22} {stack_seconds:>11.1f}s {stack_rss / gib:>8.2f}G {stack_pss / gib:>8.2f}G  targets ≤ 20 s, RSS ≤ 1.3 GB"
    )
    print(
        f"{'  its Dagster processes':<22} {'':>12} {dagster_rss / gib:>8.2f}G {dagster_pss / gib:>8.2f}G"
        "  (code servers, webserver, daemon; without Postgres and the launcher)"
    )
    print(
        f"{'dagster dev (baseline)':<22} {dev_seconds:>11.1f}s {dev_rss / gib:>8.2f}G {dev_pss / gib:>8.2f}G"
    )
    print(
        f"stack / dagster dev: {stack_seconds / dev_seconds:.2f}x the time, {stack_rss / dev_rss:.2f}x the RSS"
    )
    print(
        "(the stack includes its embedded PostgreSQL and `dagster instance migrate`; dagster dev uses SQLite)"
    )


if __name__ == "__main__":
    main()
