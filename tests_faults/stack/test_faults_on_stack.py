"""Faults on the running local stack, each with the figure an operator would ask for.

- the run worker of an NPS month load and of a CD day load killed with SIGKILL inside their
  transaction: the partition keeps its previous rows, the other partition is untouched, the run
  ends FAILURE and the run-retry policy loads it again;
- a code server killed while one of its runs is inside its transaction: the other four locations
  stay LOADED and serve, the run ends (never left STARTED), the location comes back;
- the embedded PostgreSQL killed during a run's transaction: the supervisor starts it again, the
  webserver and the daemon answer again without being restarted, the run ends, the month holds
  the previous rows or the new ones, never a part.

A run is held inside its transaction by a row lock on the last row its DELETE reaches (see
dag_platform_testing.faults): the fault hits at a known point, after the run has written.
"""

from __future__ import annotations

import os
import signal
import time

import pytest
from dag_shared.settings import LOCATIONS

from dag_platform_testing.faults import (
    RowLock,
    backend_gone,
    client_process_of_backend,
    daemons_healthy,
    fingerprint,
    kill_all,
    launch_in_process,
    retries_of,
    run_messages,
    run_records,
    run_status,
    run_worker_tree,
    wait_for,
)

TERMINAL = {"SUCCESS", "FAILURE", "CANCELED"}
NPS_LOAD = ["nps_his_download", "nps_his_digest", "nps_his_postgres_append"]
PENSION_MONTH = ("public.pension", "data_created_ym = %s::timestamp")
CD_DAY = ("price", "date = %s AND exchange = %s")


def _run(stack, location: str, job: str | None, partition: str, assets: list[str] | None = None) -> str:
    """Queue a job's run, or an asset selection's with the in-process executor (one process)."""
    tags = {"dagster/partition": partition}
    client = stack.graphql
    return (
        launch_in_process(client, location, assets, tags)
        if assets
        else client.launch_job(location, job, tags)
    )


def _succeed(stack, run_id: str, timeout: float = 300) -> None:
    run = stack.graphql.wait_for_run(run_id, timeout)
    assert run["status"] == "SUCCESS", (run, stack.output()[-3000:])


def _ended(stack, run_id: str, timeout: float) -> tuple[str, float]:
    """(terminal status, seconds it took) of a run."""
    started = time.monotonic()
    status = wait_for(
        lambda: (s := run_status(stack.graphql, run_id)) in TERMINAL and s, timeout, f"run {run_id} ending"
    )
    return status, time.monotonic() - started


@pytest.fixture(scope="module")
def loaded(stack):
    """Two NPS months and two CD days loaded, the state the faults must leave intact."""
    # One month after the other: both would wait on the nps_duckdb pool, polling with backoff.
    cd_runs = [
        _run(stack, "cd", "cd_daily_update_job", f"{day}|KOSPI") for day in ("2024-01-02", "2024-01-03")
    ]
    for month in ("2022-03", "2022-04"):
        _succeed(stack, _run(stack, "nps", None, month, NPS_LOAD))
    for run_id in cd_runs:
        _succeed(stack, run_id)
    return {
        "nps": stack.embedded_database_url("nps"),
        "cd": stack.embedded_database_url("cd"),
    }


def _kill_worker_mid_transaction(stack, location, url, table, where, params, launch, statement):
    """Hold the partition's last row, launch the load, SIGKILL its run worker once the load's
    transaction waits on us, then release. Returns (run id, blocked writer, kill time)."""
    lock = RowLock(url, table, where, params)
    try:
        run_id = launch()
        writer = lock.wait_for_writer(statement, timeout=180)
        holder = client_process_of_backend(url, writer.pid)
        assert holder is not None, f"no local process holds backend {writer.pid}"
        tree = run_worker_tree(stack.code_server_pids()[location][1], holder)
        killed_at = time.monotonic()
        killed = kill_all(tree)
    finally:
        lock.release()
    wait_for(lambda: backend_gone(url, writer.pid), 30, "the killed worker's backend ending")
    print(
        f"\n{location}: run worker {killed} SIGKILLed while its backend {writer.pid} (xid {writer.xid}) "
        f"waited in {writer.query.split()[0:3]} after {lock.rows - 1} of {lock.rows} rows deleted"
    )
    return run_id, writer, killed_at


def _check_killed_run_ends_and_is_retried(stack, run_id: str, killed_at: float) -> dict:
    client = stack.graphql
    status = wait_for(
        lambda: (s := run_status(client, run_id)) in TERMINAL and s, 120, "the killed run ending"
    )
    failed_after = time.monotonic() - killed_at
    assert status == "FAILURE"
    messages = [message for _, message in run_messages(client, run_id)]
    assert any("SIGKILL" in message or "signal 9" in message for message in messages), messages
    retry = wait_for(lambda: retries_of(client, run_id), 120, "a retry of the killed run")[0]
    _succeed(stack, retry["runId"])
    print(
        f"run {run_id[:8]} FAILURE {failed_after:.1f}s after the kill; retry {retry['runId'][:8]} "
        f"(attempt tag {retry['tags'].get('dagster/retry_number')}) SUCCESS "
        f"{time.monotonic() - killed_at:.1f}s after the kill"
    )
    return retry


def test_nps_run_worker_killed_mid_transaction_keeps_the_months(stack, loaded):
    url = loaded["nps"]
    march = fingerprint(url, *PENSION_MONTH, ("2022-03-01",))
    april = fingerprint(url, *PENSION_MONTH, ("2022-04-01",))
    assert march[0] > 0 and april[0] > 0
    run_id, writer, killed_at = _kill_worker_mid_transaction(
        stack, "nps", url, *PENSION_MONTH, ("2022-04-01",),
        lambda: _run(stack, "nps", None, "2022-04", ["nps_his_postgres_append"]),
        "DELETE FROM public.pension",
    )  # fmt: skip
    assert writer.xid is not None, "the load had not written inside its transaction when it was killed"
    assert fingerprint(url, *PENSION_MONTH, ("2022-04-01",)) == april, "2022-04 lost rows to the killed load"
    assert fingerprint(url, *PENSION_MONTH, ("2022-03-01",)) == march
    print(
        f"rows checked: 2022-04 {april[0]} rows identical (md5 {april[1][:12]}), 2022-03 {march[0]} identical"
    )
    _check_killed_run_ends_and_is_retried(stack, run_id, killed_at)
    assert fingerprint(url, *PENSION_MONTH, ("2022-04-01",))[0] == april[0]
    assert fingerprint(url, *PENSION_MONTH, ("2022-03-01",)) == march


def test_cd_run_worker_killed_mid_transaction_keeps_the_days(stack, loaded):
    url = loaded["cd"]
    day = fingerprint(url, *CD_DAY, ("2024-01-03", "KOSPI"))
    before = fingerprint(url, *CD_DAY, ("2024-01-02", "KOSPI"))
    assert day[0] > 0 and before[0] > 0
    run_id, writer, killed_at = _kill_worker_mid_transaction(
        stack, "cd", url, *CD_DAY, ("2024-01-03", "KOSPI"),
        lambda: _run(stack, "cd", "cd_daily_update_job", "2024-01-03|KOSPI"),
        "DELETE FROM price",
    )  # fmt: skip
    assert writer.xid is not None
    assert fingerprint(url, *CD_DAY, ("2024-01-03", "KOSPI")) == day, (
        "2024-01-03 lost rows to the killed load"
    )
    assert fingerprint(url, *CD_DAY, ("2024-01-02", "KOSPI")) == before
    print(f"rows checked: 2024-01-03 KOSPI {day[0]} prices identical, 2024-01-02 KOSPI {before[0]} identical")
    _check_killed_run_ends_and_is_retried(stack, run_id, killed_at)
    assert fingerprint(url, *CD_DAY, ("2024-01-03", "KOSPI"))[0] == day[0]


def test_a_code_server_killed_during_a_run_leaves_the_others_serving_and_the_run_ends(stack, loaded):
    url = loaded["nps"]
    march = fingerprint(url, *PENSION_MONTH, ("2022-03-01",))
    lock = RowLock(url, *PENSION_MONTH, ("2022-03-01",))
    try:
        run_id = _run(stack, "nps", None, "2022-03", ["nps_his_postgres_append"])
        lock.wait_for_writer("DELETE FROM public.pension", timeout=180)
        before = stack.role_pids()
        killed_at = time.monotonic()
        os.kill(before["nps"], signal.SIGKILL)
        # While nps is away the others keep serving, and stay LOADED.
        others = [name for name in LOCATIONS if name != "nps"]
        for name in others:
            wait_for(lambda name=name: stack.serves(name), 30, f"{name} serving while nps is away")
        statuses = stack.graphql.locations()
        assert all(statuses[name].usable for name in others), statuses
    finally:
        lock.release()
    wait_for(
        lambda: stack.role_pids().get("nps") not in (None, before["nps"]), 60, "nps code server restarted"
    )
    wait_for(lambda: stack.serves("nps"), 120, "nps serving again")
    back_after = time.monotonic() - killed_at
    status, _ = _ended(stack, run_id, 240)
    ended_after = time.monotonic() - killed_at
    retries = retries_of(stack.graphql, run_id)
    final = [stack.graphql.wait_for_run(r["runId"], 300)["status"] for r in retries]
    print(
        f"\nnps code server SIGKILLed during run {run_id[:8]}: the {len(others)} other locations served throughout; "
        f"nps serving again after {back_after:.1f}s; the run ended {status} after {ended_after:.1f}s"
        + (f", retried: {final}" if retries else "")
    )
    assert {n: p for n, p in stack.role_pids().items() if n != "nps"} == {
        n: p for n, p in before.items() if n != "nps"
    }
    after = fingerprint(url, *PENSION_MONTH, ("2022-03-01",))
    assert after[0] == march[0], "2022-03 is not whole after the run ended"
    print(f"rows checked: 2022-03 {after[0]} rows (before {march[0]})")
    assert status in TERMINAL


def test_postgres_killed_during_a_run_recovers_without_restarting_daemon_or_webserver(stack, loaded):
    url = loaded["nps"]
    april = fingerprint(url, *PENSION_MONTH, ("2022-04-01",))
    before = stack.role_pids()
    lock = RowLock(url, *PENSION_MONTH, ("2022-04-01",))
    run_id = _run(stack, "nps", None, "2022-04", ["nps_his_postgres_append"])
    lock.wait_for_writer("DELETE FROM public.pension", timeout=180)
    postmaster = stack.postmaster_pid()
    killed_at = time.monotonic()
    os.kill(postmaster, signal.SIGKILL)
    try:
        lock.conn.close()
    except Exception:  # noqa: BLE001, S110 - the server is gone with our lock
        pass
    wait_for(lambda: stack.postmaster_pid() not in (None, postmaster), 60, "PostgreSQL started again")
    wait_for(lambda: run_records(stack.graphql, runIds=[run_id]), 60, "the webserver answering runs")
    webserver_back = time.monotonic() - killed_at
    wait_for(lambda: daemons_healthy(stack.graphql), 120, "every daemon healthy again")
    daemon_back = time.monotonic() - killed_at
    status, _ = _ended(stack, run_id, 300)
    ended_after = time.monotonic() - killed_at
    retries = retries_of(stack.graphql, run_id)
    final = [stack.graphql.wait_for_run(r["runId"], 300)["status"] for r in retries]
    after = fingerprint(url, *PENSION_MONTH, ("2022-04-01",))
    print(
        f"\nPostgreSQL SIGKILLed during run {run_id[:8]}'s transaction: webserver answering after "
        f"{webserver_back:.1f}s, daemons healthy after {daemon_back:.1f}s (same PIDs); the run ended "
        f"{status} after {ended_after:.1f}s"
        + (f", retries {final}" if retries else "")
        + f"; rows checked: 2022-04 {after[0]} rows (before {april[0]}, "
        f"{'identical' if after == april else 'reloaded'})"
    )
    assert {name: stack.role_pids().get(name) for name in ("webserver", "daemon")} == {
        "webserver": before["webserver"],
        "daemon": before["daemon"],
    }
    assert status in TERMINAL
    assert after[0] == april[0], "2022-04 was left half written"
    assert all(stack.serves(name) for name in LOCATIONS)
