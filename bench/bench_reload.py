"""Reloading one location over GraphQL while the others keep running.

Run: `uv run python bench/bench_reload.py [--location nps] [--repeat 5] [--before REV]`. Starts the
local stack on a fresh data directory, then times `reloadRepositoryLocation` until the location is
LOADED again, checking after each reload that the other locations' server processes kept their
PIDs. Baselines in the same run: the same mutation on another location (`ds`), and with
`--before REV` the same location reloaded on the stack of an earlier commit (a git worktree with
its own environments, started with its own launcher and running at the same time), for a
before/after of a change. The three series are interleaved, so the machine's load weighs alike.
Target: ≤ 3.5 s with the real location.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import yaml

from dag_platform_testing.stack_harness import RunningStack

ROOT = Path(__file__).resolve().parents[1]


def time_reload(stack: RunningStack, location: str) -> float:
    """Seconds until `location` is usable again, checking that no other location's server restarted."""
    before = stack.code_server_pids()
    client = stack.graphql
    started = time.perf_counter()
    status = client.reload(location)
    elapsed = time.perf_counter() - started
    client.close()
    assert status.usable, status
    after = stack.code_server_pids()
    restarted = [name for name in before if name != location and before[name] != after[name]]
    assert not restarted, f"reloading {location} restarted {restarted}: {before} -> {after}"
    return elapsed


def workspace_locations(checkout: Path) -> tuple[str, ...]:
    """The locations an older checkout serves, from its workspace file (it may predate the registry)."""
    workspace = yaml.safe_load((checkout / "workspace.yaml").read_text())
    return tuple(entry["grpc_server"]["location_name"] for entry in workspace["load_from"])


@contextmanager
def stack_at_commit(revision: str, workdir: Path) -> Iterator[RunningStack]:
    """The stack of an earlier commit, checked out beside this one with its own environments, loaded."""
    checkout = workdir / "before"
    subprocess.run(["git", "worktree", "add", "--detach", str(checkout), revision], cwd=ROOT, check=True)
    try:
        uv = shutil.which("uv") or str(ROOT / "scripts" / "uv.sh")
        for project in [checkout, *sorted((checkout / "locations").iterdir())]:
            subprocess.run(
                [uv, "sync", "--frozen", "--quiet", "--compile-bytecode", "--project", str(project)],
                check=True,
            )
        stack = RunningStack(
            root=checkout,
            locations=workspace_locations(checkout),
            data_dir=workdir / "before-data",
            extra_env={"DAGSTER_POSTGRES_URL": ""},
            python=str(checkout / ".venv" / "bin" / "python"),
        )
        with stack.loaded(timeout=300):
            yield stack
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(checkout)], cwd=ROOT, check=False)


def summary(samples: list[float]) -> str:
    return f"median {statistics.median(samples):.2f}s  (min {min(samples):.2f}, max {max(samples):.2f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--location", default="nps")
    parser.add_argument("--baseline-location", default="ds")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--before", metavar="REV", help="also reload the location on this earlier commit")
    args = parser.parse_args()
    samples: dict[str, list[float]] = {"real": [], "baseline": [], "before": []}
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stacks:
        stack = RunningStack(root=ROOT, data_dir=Path(tmp) / "data", extra_env={"DAGSTER_POSTGRES_URL": ""})
        stacks.enter_context(stack.loaded(timeout=300))
        earlier = stacks.enter_context(stack_at_commit(args.before, Path(tmp))) if args.before else None
        time.sleep(3)
        # Interleaved, so a change in the machine's load falls on every series alike.
        for _ in range(args.repeat):
            samples["real"].append(time_reload(stack, args.location))
            samples["baseline"].append(time_reload(stack, args.baseline_location))
            if earlier is not None:
                samples["before"].append(time_reload(earlier, args.location))
    print(f"reload {args.location:<4} {summary(samples['real'])}  target ≤ 3.5 s")
    print(f"reload {args.baseline_location:<4} {summary(samples['baseline'])}  baseline: another location")
    if samples["before"]:
        print(f"reload {args.location:<4} {summary(samples['before'])}  baseline: at {args.before}")
    print("the other locations kept their server PIDs on every reload")


if __name__ == "__main__":
    main()
