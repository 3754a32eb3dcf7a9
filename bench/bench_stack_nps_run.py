"""The fixed cost of one run on the local stack: `nps_history_job` for the bundled sample month.

Run: `uv run python bench/bench_stack_nps_run.py` (host environment). It starts the stack (`make
dev`'s launcher) on a fresh data directory and embedded PostgreSQL, then submits
`nps_history_job` for 2022-04 (about 2,500 rows) through the official Dagster GraphQL Python
client (`dagster_graphql.DagsterGraphQLClient`) and polls it with the same client until SUCCESS.
One warm-up run loads the month first, so every timed run replaces a loaded month, as a re-run
does. Each executor setting then runs `--rounds` times (default 1), interleaved; medians are printed.

Figure: seconds from submission to SUCCESS with the job's own executor (no run config).
Baseline, in the same run: the same job with the multiprocess executor that was the location's
default until now (run config `execution: {config: {multiprocess: {}}}`), plus the multiprocess
executor started through a forkserver that preloads the location's modules. Target: ≤ 10 s.

For each setting the bench prints where the time went, from the run's event log: submission until
the run is queued, queue pickup by the daemon, the run worker's start (process, imports, resources),
the per-step process starts, the asset steps and the check steps (start to success, their event
writes included), what is left between steps, and the lag until the client sees SUCCESS.
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from dagster_graphql import DagsterGraphQLClient, DagsterGraphQLClientError

from dag_platform.graphql import DagsterGraphQL
from dag_platform_testing.stack_harness import RunningStack, embedded_postgres_env

ROOT = Path(__file__).resolve().parents[1]
JOB = "nps_history_job"
MONTH = "2022-04"
MULTIPROCESS = {"multiprocess": {}}
FORKSERVER = {"multiprocess": {"start_method": {"forkserver": {"preload_modules": ["dag_nps.definitions"]}}}}
SETTINGS: dict[str, dict | None] = {
    "job's executor (new)": None,
    "multiprocess (before)": MULTIPROCESS,
    "multiprocess + forkserver": FORKSERVER,
}
EVENTS = """
query Events($runId: ID!, $cursor: String) {
  logsForRun(runId: $runId, afterCursor: $cursor, limit: 1000) {
    __typename
    ... on EventConnection { cursor hasMore events { __typename ... on MessageEvent { timestamp eventType stepKey } } }
  }
}
"""


@dataclass
class Breakdown:
    """Seconds per phase of one run, from the bench's clock and the run's event timestamps."""

    total: float
    phases: dict[str, float] = field(default_factory=dict)
    events: int = 0


def run_events(client: DagsterGraphQL, run_id: str) -> list[dict]:
    events: list[dict] = []
    cursor = None
    while True:
        page = client.query(EVENTS, {"runId": run_id, "cursor": cursor})["logsForRun"]
        events += [e for e in page["events"] if e.get("eventType")]
        if not page["hasMore"]:
            return events
        cursor = page["cursor"]


def breakdown(events: list[dict], submitted: float, seen_done: float) -> Breakdown:
    def first(kind: str) -> float | None:
        return next((float(e["timestamp"]) / 1000 for e in events if e["eventType"] == kind), None)

    enqueued, starting, started = first("RUN_ENQUEUED"), first("RUN_STARTING"), first("RUN_START")
    ended = first("RUN_SUCCESS")
    steps: dict[str, dict[str, float]] = {}
    kinds: dict[str, set[str]] = {}
    for event in events:
        key = event.get("stepKey")
        if key:
            steps.setdefault(key, {}).setdefault(event["eventType"], float(event["timestamp"]) / 1000)
            kinds.setdefault(key, set()).add(event["eventType"])
    asset_steps = sum("ASSET_MATERIALIZATION" in k for k in kinds.values())
    labels = (
        f"asset steps ({asset_steps})",
        f"check steps ({len(steps) - asset_steps})",
        "per-step process starts",
    )
    # Each instant of the run goes to the first label active then: steps may overlap.
    intervals = []
    for key, times in steps.items():
        if "STEP_START" in times and "STEP_SUCCESS" in times:
            label = labels[0] if "ASSET_MATERIALIZATION" in kinds[key] else labels[1]
            intervals.append((times["STEP_START"], times["STEP_SUCCESS"], label))
        if "STEP_WORKER_STARTING" in times and "STEP_START" in times:
            intervals.append((times["STEP_WORKER_STARTING"], times["STEP_START"], labels[2]))
    covered = dict.fromkeys(labels, 0.0)
    cuts = sorted({started, ended, *(t for i in intervals for t in i[:2])})
    for low, high in itertools.pairwise(cuts):
        active = {label for begin, end, label in intervals if begin <= low and high <= end}
        label = next((name for name in labels if name in active), None)
        if label and started <= low and high <= ended:
            covered[label] += high - low
    phases = {
        "submission -> queued": enqueued - submitted,
        "queue pickup (daemon)": starting - enqueued,
        "run worker start": started - starting,
        labels[2]: covered[labels[2]],
        labels[0]: covered[labels[0]],
        labels[1]: covered[labels[1]],
        "between steps, run end": (ended - started) - sum(covered.values()),
        "end -> client sees SUCCESS": seen_done - ended,
    }
    return Breakdown(total=seen_done - submitted, phases=phases, events=len(events))


def timed_run(client: DagsterGraphQLClient, events: DagsterGraphQL, executor: dict | None) -> Breakdown:
    run_config = {"execution": {"config": executor}} if executor else None
    submitted = time.time()
    run_id = client.submit_job_execution(
        JOB, repository_location_name="nps", run_config=run_config, tags={"dagster/partition": MONTH}
    )
    while True:
        status = client.get_run_status(run_id).value
        if status in ("SUCCESS", "FAILURE", "CANCELED"):
            break
        time.sleep(0.1)
    seen_done = time.time()
    if status != "SUCCESS":
        raise RuntimeError(f"{JOB} {MONTH} ({executor or 'job default'}) ended {status}: run {run_id}")
    return breakdown(run_events(events, run_id), submitted, seen_done)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=1, help="timed runs per executor setting")
    rounds = parser.parse_args().rounds
    results: dict[str, list[Breakdown]] = {name: [] for name in SETTINGS}
    with tempfile.TemporaryDirectory(prefix="dag-bench-nps-run-") as tmp:
        data_dir = Path(tmp) / "data"
        data_dir.mkdir()
        stack = RunningStack(root=ROOT, data_dir=data_dir, extra_env=embedded_postgres_env())
        stack.start()
        try:
            stack.wait_until_loaded(timeout=300)
            client = DagsterGraphQLClient("127.0.0.1", port_number=stack.webserver_port)
            events = stack.graphql
            try:
                timed_run(client, events, None)  # warm-up: the month's first load
                for _ in range(rounds):
                    for name, executor in SETTINGS.items():
                        results[name].append(timed_run(client, events, executor))
            except DagsterGraphQLClientError as error:
                raise RuntimeError(f"submitting {JOB} failed: {error}") from error
            finally:
                events.close()
        finally:
            stack.stop()
    report(results, rounds)


def report(results: dict[str, list[Breakdown]], rounds: int) -> None:
    print(f"{JOB} for the sample month {MONTH} on the local stack, submission -> SUCCESS")
    print(f"  (official GraphQL client; median of {rounds} run(s) each, after one warm-up run)")
    names = list(SETTINGS)
    phases = list(results[names[0]][0].phases)
    print(f"  {'':30}" + "".join(f"{name:>28}" for name in names))
    for phase in phases:
        cells = [statistics.median(b.phases.get(phase, 0.0) for b in results[n]) for n in names]
        print(f"  {phase:30}" + "".join(f"{value:26.2f} s" for value in cells))
    totals = {n: statistics.median(b.total for b in results[n]) for n in names}
    print(f"  {'total':30}" + "".join(f"{totals[n]:26.2f} s" for n in names))
    print(f"  {'events written':30}" + "".join(f"{results[n][0].events:28d}" for n in names))
    new, before = totals[names[0]], totals[names[1]]
    print(f"figure: {new:.1f} s   baseline (multiprocess, before): {before:.1f} s   target: <= 10 s")
    print(f"  {before / new:.1f}x faster; forkserver variant: {totals[names[2]]:.1f} s")
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"  load average at the end (1, 5, 15 min): {load} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
