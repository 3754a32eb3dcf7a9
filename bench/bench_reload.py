"""Reloading one location over GraphQL while the other four keep running.

Run: `uv run python bench/bench_reload.py [--location nps] [--repeat 5] [--before REV]`. Starts the
local stack on a fresh data directory, then times `reloadRepositoryLocation` until the location is
LOADED again, checking after each reload that the other locations' server processes kept their
PIDs. Baselines in the same run: the same mutation on another location (`ds`), and with
`--before REV` the same location reloaded on the stack of an earlier commit (a git worktree with
its own environments, started with its own launcher), for a before/after of a change.
Target: ≤ 3.5 s with the real location.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import yaml

from dag_platform_testing.stack_harness import RunningStack

ROOT = Path(__file__).resolve().parents[1]


def time_reloads(stack: RunningStack, location: str, repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        before = stack.code_server_pids()
        client = stack.graphql
        started = time.perf_counter()
        status = client.reload(location)
        samples.append(time.perf_counter() - started)
        client.close()
        assert status.usable, status
        after = stack.code_server_pids()
        restarted = [name for name in before if name != location and before[name] != after[name]]
        assert not restarted, f"reloading {location} restarted {restarted}: {before} -> {after}"
    return samples


def workspace_locations(checkout: Path) -> tuple[str, ...]:
    """The locations an older checkout serves, from its workspace file (it may predate the registry)."""
    workspace = yaml.safe_load((checkout / "workspace.yaml").read_text())
    return tuple(entry["grpc_server"]["location_name"] for entry in workspace["load_from"])


def reloads_at_commit(revision: str, location: str, repeat: int, workdir: Path) -> list[float]:
    """Reload times of `location` on the stack of an earlier commit, checked out beside this one."""
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
            time.sleep(3)
            return time_reloads(stack, location, repeat)
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(checkout)], cwd=ROOT, check=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--location", default="nps")
    parser.add_argument("--baseline-location", default="ds")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--before", metavar="REV", help="also reload the location on this earlier commit")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        stack = RunningStack(root=ROOT, data_dir=Path(tmp) / "data", extra_env={"DAGSTER_POSTGRES_URL": ""})
        with stack.loaded(timeout=300):
            time.sleep(3)
            real = time_reloads(stack, args.location, args.repeat)
            baseline = time_reloads(stack, args.baseline_location, args.repeat)
        before = reloads_at_commit(args.before, args.location, args.repeat, Path(tmp)) if args.before else []
    print(
        f"reload {args.location:<4} median {statistics.median(real):.2f}s  (min {min(real):.2f}, max {max(real):.2f})  target ≤ 3.5 s"
    )
    print(
        f"reload {args.baseline_location:<4} median {statistics.median(baseline):.2f}s  baseline: another location"
    )
    if before:
        print(
            f"reload {args.location:<4} median {statistics.median(before):.2f}s  (min {min(before):.2f}, max {max(before):.2f})  baseline: at {args.before}"
        )
    print("other four locations kept their server PIDs on every reload")


if __name__ == "__main__":
    main()
