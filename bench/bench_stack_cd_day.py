"""One full generated trading day (KOSPI, KOSDAQ, KONEX; about 2,800 tickers) through the local stack.

Run: `uv run python bench/bench_stack_cd_day.py` (host environment). It generates two consecutive
snapshot days (bench/cd_krx_snapshots.py), starts the stack (`make dev`'s launcher) on a fresh data
directory with CD_KRX_SNAPSHOT_DIR pointing at them, loads the first day, then times the second
(with new listings, delistings and renames) as the platform runs it: the three exchange runs of
`cd_daily_update_job` queued together over GraphQL (the daemon dequeues them, each code-server run
worker executes the steps), then the day's gold run, which nobody launches: `cd_gold_automation_sensor`
starts it once the third exchange is in.

Figure: seconds from queueing the three runs to the gold run's end. Baseline, from the same runs:
the time the runs spent executing (their start-to-end durations, summed), so the difference is what
the queue, the daemon, the sensor and process start-up add on top of the work. Target: the figure
at most 2x the runs' own work (docs/run-cost.md).
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from cd_krx_snapshots import write_day

from dag_platform.graphql import DagsterGraphQL
from dag_platform_testing.stack_harness import RunningStack

ROOT = Path(__file__).resolve().parents[1]
EXCHANGES = ("KOSPI", "KOSDAQ", "KONEX")
DAYS = (date(2024, 1, 2), date(2024, 1, 3))
STEP_FAILURES = """
query Failures($runId: ID!) { logsForRun(runId: $runId) { ... on EventConnection { events {
  __typename ... on ExecutionStepFailureEvent { stepKey error { message cause { message } } } } } } }
"""
GOLD_RUNS = """
query GoldRuns($tags: [ExecutionTag!]) {
  runsOrError(filter: {tags: $tags}) { ... on Runs { results { runId status } } }
}
"""
RUN_TIMES = """
query RunTimes($runId: ID!) { runOrError(runId: $runId) { ... on Run { status startTime endTime } } }
"""


def launch_job(client: DagsterGraphQL, job: str, partition: str) -> str:
    return client.launch_job("cd", job, {"dagster/partition": partition})


def failures(client: DagsterGraphQL, run_id: str) -> list[str]:
    events = client.query(STEP_FAILURES, {"runId": run_id})["logsForRun"].get("events", [])
    messages = []
    for event in events:
        if event.get("stepKey") and event.get("error"):
            error = event["error"].get("cause") or event["error"]
            messages.append(f"{event['stepKey']}: {error['message'][:500]}")
    return messages


def sensor_gold_run(client: DagsterGraphQL, day: date, timeout: float = 900) -> str:
    """The day's gold run started by cd_gold_automation_sensor, once it has succeeded."""
    tags = [
        {"key": "dagster/sensor_name", "value": "cd_gold_automation_sensor"},
        {"key": "dagster/partition", "value": day.isoformat()},
    ]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        runs = client.query(GOLD_RUNS, {"tags": tags})["runsOrError"]["results"]
        if any(run["status"] == "SUCCESS" for run in runs):
            return next(run["runId"] for run in runs if run["status"] == "SUCCESS")
        for run in runs:
            if run["status"] in ("FAILURE", "CANCELED"):
                raise RuntimeError(f"gold run {run['runId']} failed: {failures(client, run['runId'])}")
        time.sleep(0.25)
    raise TimeoutError(f"no gold run of {day} by cd_gold_automation_sensor within {timeout:.0f}s")


def load_day(client: DagsterGraphQL, day: date) -> tuple[float, float]:
    """(wall seconds from queueing to the gold run's end, summed seconds the runs executed)."""
    started = time.monotonic()
    exchange_runs = [launch_job(client, "cd_daily_update_job", f"{day}|{x}") for x in EXCHANGES]
    for run_id in exchange_runs:
        run = client.wait_for_run(run_id, timeout=900)
        if run["status"] != "SUCCESS":
            raise RuntimeError(f"exchange run {run_id} ended {run['status']}: {failures(client, run_id)}")
    gold_run = sensor_gold_run(client, day)
    wall = time.monotonic() - started
    executing = 0.0
    for run_id in [*exchange_runs, gold_run]:
        times = client.query(RUN_TIMES, {"runId": run_id})["runOrError"]
        executing += times["endTime"] - times["startTime"]
    return wall, executing


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="dag-bench-cd-") as tmp:
        snapshots = Path(tmp) / "krx"
        tickers = sum(write_day(snapshots, day, index) for index, day in enumerate(DAYS)) // len(DAYS)
        data_dir = Path(tmp) / "data"
        data_dir.mkdir()
        stack = RunningStack(
            root=ROOT,
            data_dir=data_dir,
            extra_env={
                "DAGSTER_POSTGRES_URL": "",
                "CD_POSTGRES_URL": "",
                "CD_KRX_SNAPSHOT_DIR": str(snapshots),
            },
        )
        stack.start()
        try:
            stack.wait_until_loaded(timeout=300)
            client = stack.graphql
            load_day(client, DAYS[0])
            wall, executing = load_day(client, DAYS[1])
            client.close()
        finally:
            stack.stop()
    print(
        f"one trading day on the local stack ({DAYS[1]}, three exchanges, {tickers:,} snapshot CSV rows per day)"
    )
    print(f"  queue to gold done:     {wall:6.1f} s")
    print(
        f"  runs executing (sum):   {executing:6.1f} s   baseline: the work itself, without queue and daemon"
    )
    print(f"  orchestration overhead: {wall - executing:+6.1f} s (three exchange runs execute in parallel)")
    print(f"figure: {wall / executing:.2f}x the runs' own work   target: <= 2x")


if __name__ == "__main__":
    main()
