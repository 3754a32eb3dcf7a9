"""Per-step cost of the run-time instrumentation (dag_shared.instrumentation), against a bare step.

Run: `uv run python bench/bench_instrumentation.py [--steps 40]`. The same job of `--steps`
trivial assets runs in process, once as defined (the baseline) and once instrumented (row count
check, execution time, peak-memory sampler thread), alternately, three times each; the script
prints the median run time of both and the difference per step. Target: under 5 ms per step.
"""

from __future__ import annotations

import argparse
import statistics
import time

import dagster as dg
from dag_shared.instrumentation import instrument_asset

TARGET_MS = 5.0


def build(steps: int) -> list[dg.AssetsDefinition]:
    def make(i: int) -> dg.AssetsDefinition:
        @dg.asset(name=f"bench_step_{i}", deps=[f"bench_step_{i - 1}"] if i else None)
        def step() -> dg.MaterializeResult:
            return dg.MaterializeResult(metadata={"dagster/row_count": i})

        return step

    return [make(i) for i in range(steps)]


def run_seconds(assets: list[dg.AssetsDefinition], instance: dg.DagsterInstance) -> float:
    job = dg.Definitions(assets=assets).resolve_implicit_global_asset_job_def()
    started = time.perf_counter()
    assert job.execute_in_process(instance=instance).success
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=40)
    args = parser.parse_args()
    plain, wrapped = build(args.steps), [instrument_asset(a) for a in build(args.steps)]
    with dg.instance_for_test() as instance:
        run_seconds(plain, instance)  # warm-up: imports and the instance's storage
        base, inst = [], []
        for _ in range(3):
            base.append(run_seconds(plain, instance))
            inst.append(run_seconds(wrapped, instance))
    b, i = statistics.median(base), statistics.median(inst)
    per_step_ms = (i - b) / args.steps * 1000
    print(f"{args.steps} steps in process: baseline {b:.3f} s, instrumented {i:.3f} s")
    print(f"overhead per step: {per_step_ms:.2f} ms (target < {TARGET_MS} ms)")


if __name__ == "__main__":
    main()
