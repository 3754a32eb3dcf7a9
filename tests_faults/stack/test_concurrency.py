"""Concurrency under load: 40 runs queued at once across the five locations through GraphQL.

The runs are cheap (a KRX sample day, a snapshot-retention pass, DDL, clearing an empty object-store
prefix), so to make the limits bind, the CD and IS runs are held inside their work by a table lock
the test takes in their warehouses: they stay STARTED until it is released. While held, the test
samples the run statuses: CD and IS each fill their per-location share, together the global cap,
and every other run waits QUEUED. Then the locks go, the queue drains, and from the run records
(each run's dequeue and end times) the caps were never exceeded at any instant.
"""

from __future__ import annotations

import time
from collections import Counter

import psycopg
import yaml
from dag_shared.settings import repository_root

from dag_platform_testing.faults import (
    event_times,
    launch_in_process,
    max_overlap,
    run_messages,
    run_records,
    wait_for,
)

RUNS_PER_LOCATION = 8
CD_PARTITIONS = [
    f"{day}|{exchange}"
    for day in ("2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05")
    for exchange in ("KOSPI", "KOSDAQ")
]
# The locations with assets; a location without any (the operations location) runs nothing here.
RUN_LOCATIONS = ("cd", "ds", "is", "ss", "nps")
HELD = {"cd": "price", "is": "post_snapshots"}  # location → table its runs wait on while locked
IN_PROGRESS = {"STARTING", "STARTED"}
TERMINAL = {"SUCCESS", "FAILURE", "CANCELED"}


def _limits() -> tuple[int, int]:
    config = yaml.safe_load((repository_root() / "deploy" / "dagster.local.yaml").read_text())
    runs = config["concurrency"]["runs"]
    per_location = next(
        limit["limit"] for limit in runs["tag_concurrency_limits"] if limit["key"] == "dagster/code_location"
    )
    return runs["max_concurrent_runs"], per_location


def _launch(client, location: str, index: int) -> str:
    if location == "cd":
        return client.launch_job(location, "cd_daily_update_job", {"dagster/partition": CD_PARTITIONS[index]})
    if location == "is":
        return client.launch_job(location, "is_snapshot_retention_job")
    if location == "ds":  # the ds location runs its steps in process already
        return client.launch_assets(location, ["ds_r2_clear_tgt"])
    asset = {"nps": "nps_ensure_saas_tables", "ss": "ss_bootstrap_schema"}[location]
    return launch_in_process(client, location, [asset])


def _active(runs: list[dict]) -> Counter:
    counts = Counter(r["tags"]["dagster/code_location"] for r in runs if r["status"] in IN_PROGRESS)
    counts["all"] = sum(counts.values())
    return counts


def test_forty_queued_runs_respect_the_global_cap_and_the_per_location_share(stack):
    global_cap, location_cap = _limits()
    client = stack.graphql
    # The warehouses' tables exist once each location ran once.
    for run_id in (_launch(client, "cd", 0), _launch(client, "is", 0)):
        assert client.wait_for_run(run_id, 300)["status"] == "SUCCESS"

    locks = {location: psycopg.connect(stack.embedded_database_url(location)) for location in HELD}
    run_ids: list[str] = []
    sampled: Counter = Counter()

    def sample() -> list[dict]:
        runs = run_records(client, runIds=run_ids)
        for key, count in _active(runs).items():
            sampled[key] = max(sampled[key], count)
        return runs

    try:
        for location, table in HELD.items():
            locks[location].execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
        queued_at = time.time()
        run_ids += [
            _launch(client, location, index) for index in range(RUNS_PER_LOCATION) for location in HELD
        ]
        run_ids += [
            _launch(client, location, index)
            for index in range(RUNS_PER_LOCATION)
            for location in RUN_LOCATIONS
            if location not in HELD
        ]
        assert len(run_ids) == 40
        saturated = wait_for(
            lambda: (runs := sample()) and _active(runs)["all"] == global_cap and runs,
            240,
            f"{global_cap} runs in progress while CD and IS are held",
            poll=0.5,
        )
        saturated_after = time.time() - queued_at
        for _ in range(20):  # held for 10 s more: nothing else may start
            runs = sample()
            time.sleep(0.5)
        active = _active(runs)
        waiting = Counter(r["tags"]["dagster/code_location"] for r in runs if r["status"] == "QUEUED")
        print(
            f"\nheld: {global_cap} in progress after {saturated_after:.0f}s, "
            f"{ {k: v for k, v in active.items() if k != 'all'} }; still queued {dict(waiting)}"
        )
        assert active["cd"] == active["is"] == location_cap, active
        assert active["all"] == global_cap
        assert sum(waiting.values()) == 40 - global_cap - sum(1 for r in runs if r["status"] in TERMINAL)
        assert len(saturated) == 40
    finally:
        for conn in locks.values():
            conn.close()  # the locks go with the sessions

    wait_for(
        lambda: all(r["status"] in TERMINAL for r in sample()), 540, "every queued run finished", poll=0.5
    )
    drain_seconds = time.time() - queued_at

    runs = run_records(client, runIds=run_ids)
    outcomes = Counter(r["status"] for r in runs)
    intervals: dict[str, list[tuple[float, float]]] = {location: [] for location in RUN_LOCATIONS}
    for run in runs:
        times = event_times(client, run["runId"])
        # From leaving the queue (the coordinator counts it from then on) to its end.
        start = times.get("RunDequeuedEvent") or times.get("RunStartingEvent") or run["startTime"]
        intervals[run["tags"]["dagster/code_location"]].append((start, run["endTime"]))
    per_location = {location: max_overlap(spans) for location, spans in intervals.items()}
    overall = max_overlap([span for spans in intervals.values() for span in spans])
    print(
        f"40 runs drained {drain_seconds:.0f}s after queueing; outcomes {dict(outcomes)}; from the run "
        f"records: max concurrent overall {overall} (cap {global_cap}), per location {per_location} "
        f"(cap {location_cap}); sampled peak {dict(sampled)}"
    )
    failed = {
        r["runId"][:8]: [m for t, m in run_messages(client, r["runId"]) if "Failure" in t][:2]
        for r in runs
        if r["status"] != "SUCCESS"
    }
    assert outcomes == {"SUCCESS": 40}, failed
    assert overall <= global_cap and sampled["all"] <= global_cap
    assert all(peak <= location_cap for peak in per_location.values()), per_location
    assert run_records(client, runIds=run_ids, statuses=["QUEUED"]) == []
