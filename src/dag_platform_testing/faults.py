"""Fault injection on the local stack for the fault suite (tests_faults/): find a location's run
workers, hold a run's transaction at a known point, kill processes, read run records.

A run is caught mid-transaction by holding a row lock on the last row its DELETE visits: the run's
backend deletes every other row of the partition in its open transaction, then waits on ours. Its
`backend_xid` (assigned at the first write) proves it wrote before it was killed.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import psutil
import psycopg

from dag_platform.graphql import LAUNCH_MUTATION, DagsterGraphQL

RUNS_QUERY = """
query($filter: RunsFilter) {
  runsOrError(filter: $filter, limit: 500) {
    ... on Runs { results { runId status creationTime startTime endTime tags { key value } } }
  }
}
"""
RUN_EVENTS_QUERY = """
query($runId: ID!) {
  logsForRun(runId: $runId, limit: 1000) {
    ... on EventConnection { events { __typename ... on MessageEvent { timestamp message } } }
  }
}
"""
# Run config of an asset job whose steps run in the run worker itself: one process per run, not one
# per step, and the transaction is held by the worker.
IN_PROCESS = {"execution": {"config": {"in_process": {}}}}
DAEMON_HEALTH_QUERY = """
query { instance { daemonHealth { allDaemonStatuses { daemonType healthy required } } } }
"""


def wait_for(condition: Callable[[], Any], timeout: float, what: str, poll: float = 0.25) -> Any:
    """The first truthy value of `condition()`; AssertionError naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        try:
            last = condition()
        except Exception as error:  # noqa: BLE001 - a service recovering answers with errors
            last = error
        if last and not isinstance(last, Exception):
            return last
        time.sleep(poll)
    raise AssertionError(f"{what} within {timeout:.0f}s (last: {last!r})")


def launch_in_process(
    client: DagsterGraphQL, location: str, assets: list[str], tags: dict[str, str] | None = None
) -> str:
    """Queue a run of the location's asset job materializing `assets` with the in-process executor."""
    params = {
        "selector": {
            "repositoryLocationName": location,
            "repositoryName": "__repository__",
            "jobName": "__ASSET_JOB",
            "assetSelection": [{"path": [key]} for key in assets],
        },
        "runConfigData": IN_PROCESS,
        "executionMetadata": {"tags": [{"key": k, "value": v} for k, v in (tags or {}).items()]},
    }
    result = client.query(LAUNCH_MUTATION, {"params": params})["launchRun"]
    if result["__typename"] != "LaunchRunSuccess":
        raise RuntimeError(f"launching {assets} in {location} failed: {result}")
    return result["run"]["runId"]


def run_records(client: DagsterGraphQL, **run_filter: Any) -> list[dict]:
    """Runs matching a RunsFilter (`runIds=[...]`, `tags=[...]`), tags as a dict."""
    runs = client.query(RUNS_QUERY, {"filter": run_filter})["runsOrError"]["results"]
    for run in runs:
        run["tags"] = {tag["key"]: tag["value"] for tag in run["tags"]}
    return runs


def run_status(client: DagsterGraphQL, run_id: str) -> str:
    return run_records(client, runIds=[run_id])[0]["status"]


def retries_of(client: DagsterGraphQL, run_id: str) -> list[dict]:
    """The runs the run-retry daemon launched for `run_id`, following `dagster/auto_retry_run_id`."""
    chain: list[dict] = []
    current = run_records(client, runIds=[run_id])[0]
    while (next_id := current["tags"].get("dagster/auto_retry_run_id")) is not None:
        current = run_records(client, runIds=[next_id])[0]
        chain.append(current)
    return chain


def run_messages(client: DagsterGraphQL, run_id: str) -> list[tuple[str, str]]:
    """(event type, message) of every event of a run."""
    events = client.query(RUN_EVENTS_QUERY, {"runId": run_id})["logsForRun"]["events"]
    return [(event["__typename"], event.get("message") or "") for event in events]


def event_times(client: DagsterGraphQL, run_id: str) -> dict[str, float]:
    """Epoch seconds of the first event of each type of a run (RunDequeuedEvent, RunSuccessEvent...)."""
    events = client.query(RUN_EVENTS_QUERY, {"runId": run_id})["logsForRun"]["events"]
    times: dict[str, float] = {}
    for event in events:
        if "timestamp" in event:
            times.setdefault(event["__typename"], int(event["timestamp"]) / 1000)
    return times


def daemons_healthy(client: DagsterGraphQL) -> bool:
    statuses = client.query(DAEMON_HEALTH_QUERY)["instance"]["daemonHealth"]["allDaemonStatuses"]
    return all(status["healthy"] for status in statuses if status["required"])


def run_worker_tree(definitions_server_pid: int, inside: psutil.Process) -> list[psutil.Process]:
    """The run worker holding process `inside` (the ancestor whose parent is the location's
    definitions server) with all its descendants: the run's whole process tree."""
    worker = inside
    while worker.ppid() != definitions_server_pid:
        parent = worker.parent()
        if parent is None or parent.pid == 1:
            raise AssertionError(
                f"{inside.pid} does not run under definitions server {definitions_server_pid}"
            )
        worker = parent
    return [worker, *worker.children(recursive=True)]


def kill_all(processes: list[psutil.Process]) -> list[int]:
    """SIGKILL every process at once (as the OOM killer takes a container); returns the PIDs hit."""
    killed = []
    for proc in processes:
        try:
            proc.send_signal(signal.SIGKILL)
            killed.append(proc.pid)
        except psutil.NoSuchProcess:
            continue
    return killed


def fingerprint(url: str, table: str, where: str, params: tuple) -> tuple[int, str]:
    """(row count, md5 over the rows' text in a fixed order) of one partition of a table."""
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(
            f"SELECT count(*), coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') "
            f"FROM {table} AS t WHERE {where}",
            params,
        ).fetchone()
    return int(row[0]), str(row[1])


@dataclass
class BlockedWriter:
    """The run's backend caught inside its transaction: waiting on our row lock after writing."""

    pid: int
    xid: str | None  # the transaction id its first write assigned
    query: str
    waited: float  # seconds from the lock being taken to the backend blocking on it


class RowLock:
    """Hold a lock on the row a DELETE of `where` visits last, until `release()`."""

    def __init__(self, url: str, table: str, where: str, params: tuple):
        self.url = url
        self.conn = psycopg.connect(url)
        # A plain SELECT of the same predicate scans in the order the DELETE will: its last row is the
        # one the DELETE reaches last, after marking every other row of the partition deleted.
        rows = self.conn.execute(f"SELECT ctid FROM {table} WHERE {where}", params).fetchall()
        if not rows:
            raise AssertionError(f"nothing to lock in {table} where {where} {params}")
        self.rows = len(rows)
        self.conn.execute(f"SELECT 1 FROM {table} WHERE ctid = %s FOR UPDATE", (rows[-1][0],))
        self.taken_at = time.monotonic()

    def wait_for_writer(self, statement_prefix: str, timeout: float) -> BlockedWriter:
        """The backend (other than ours) blocked on our lock while running `statement_prefix`."""
        own_pid = self.conn.info.backend_pid

        def blocked() -> BlockedWriter | None:
            with psycopg.connect(self.url, autocommit=True) as watcher:
                row = watcher.execute(
                    "SELECT pid, backend_xid::text, query FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> %s AND wait_event_type = 'Lock' "
                    "AND query ILIKE %s",
                    (own_pid, statement_prefix + "%"),
                ).fetchone()
            if row is None:
                return None
            return BlockedWriter(row[0], row[1], row[2], time.monotonic() - self.taken_at)

        return wait_for(blocked, timeout, f"a backend blocked in {statement_prefix!r}", poll=0.1)

    def release(self) -> None:
        try:
            self.conn.rollback()
        finally:
            self.conn.close()


def backend_gone(url: str, pid: int) -> bool:
    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", (pid,)).fetchone()[0] == 0


def client_process_of_backend(url: str, backend_pid: int) -> psutil.Process | None:
    """The local process holding a backend's connection (by the client's TCP port)."""
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT client_port FROM pg_stat_activity WHERE pid = %s", (backend_pid,)
        ).fetchone()
    if row is None or row[0] is None:
        return None
    for connection in psutil.net_connections(kind="tcp"):
        if connection.laddr and connection.laddr.port == row[0] and connection.pid:
            return psutil.Process(connection.pid)
    return None


def max_overlap(intervals: list[tuple[float, float]]) -> int:
    """Most intervals open at one instant (an interval ending as another starts does not overlap)."""
    points = sorted([(start, 1) for start, _ in intervals] + [(end, -1) for _, end in intervals])
    open_now = peak = 0
    for _, step in points:
        open_now += step
        peak = max(peak, open_now)
    return peak
