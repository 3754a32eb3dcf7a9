"""Reloading one location over GraphQL while the other four keep running.

Run: `uv run python bench/bench_reload.py [--location nps] [--repeat 5]`. Starts the local stack
on a fresh data directory, then times `reloadRepositoryLocation` until the location is LOADED again,
checking after each reload that the other locations' server processes kept their PIDs. The baseline
is the same mutation on the location with no assets (`ds`), i.e. the fixed cost of a reload.
Target: ≤ 3.5 s with the real location.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--location", default="nps")
    parser.add_argument("--baseline-location", default="ds")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        stack = RunningStack(root=ROOT, data_dir=Path(tmp) / "data", extra_env={"DAGSTER_POSTGRES_URL": ""})
        with stack.loaded(timeout=300):
            time.sleep(3)
            real = time_reloads(stack, args.location, args.repeat)
            baseline = time_reloads(stack, args.baseline_location, args.repeat)
    print(
        f"reload {args.location:<4} median {statistics.median(real):.2f}s  (min {min(real):.2f}, max {max(real):.2f})  target ≤ 3.5 s"
    )
    print(
        f"reload {args.baseline_location:<4} median {statistics.median(baseline):.2f}s  baseline: a location with no assets"
    )
    print("other four locations kept their server PIDs on every reload")


if __name__ == "__main__":
    main()
