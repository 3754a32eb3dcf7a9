"""Dagster's default run launcher, plus a run-worker health check for run monitoring.

The local stack launches each run as a subprocess of its location's code server
(`DefaultRunLauncher`), which offers run monitoring no way to tell whether that process still
lives. When the code server dies and takes the worker with it, the run would stay STARTED for
ever. The code server records the worker's process id as the run's "Started process for run
(pid: N)" engine event; this launcher looks that process up, so the daemon's run monitoring marks
a run whose worker is gone as failed (and the run-retry policy retries it).

Only meaningful where the daemon shares the workers' host and process namespace (`make dev`,
`deploy/dagster.local.yaml`); the container stacks use their own launchers.
"""

from __future__ import annotations

import os

from dagster import DagsterEventType, DefaultRunLauncher
from dagster._core.launcher.base import CheckRunHealthResult, WorkerStatus
from dagster._core.storage.dagster_run import DagsterRun

STARTED_PROCESS_PREFIX = "Started process for run (pid: "


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: it exists
        return True
    return True


class LocalProcessRunLauncher(DefaultRunLauncher):
    """`DefaultRunLauncher` whose run workers run monitoring can check by process id."""

    @property
    def supports_check_run_worker_health(self) -> bool:
        return True

    def worker_pid(self, run: DagsterRun) -> int | None:
        records = self._instance.get_records_for_run(
            run.run_id, of_type=DagsterEventType.ENGINE_EVENT, limit=1000
        ).records
        for record in reversed(records):
            event = record.event_log_entry.dagster_event
            message = (event.message if event else None) or ""
            if message.startswith(STARTED_PROCESS_PREFIX):
                return int(message[len(STARTED_PROCESS_PREFIX) :].split(")", 1)[0])
        return None

    def check_run_worker_health(self, run: DagsterRun) -> CheckRunHealthResult:
        pid = self.worker_pid(run)
        if pid is None:
            # The worker can mark the run STARTED before its code server records the pid. Run
            # monitoring fails a run on any other answer than RUNNING, so give it the benefit.
            return CheckRunHealthResult(WorkerStatus.RUNNING, "no run worker process recorded yet")
        if _process_exists(pid):
            return CheckRunHealthResult(WorkerStatus.RUNNING, run_worker_id=str(pid))
        return CheckRunHealthResult(
            WorkerStatus.FAILED,
            f"the run worker (pid {pid}) is gone; its code server may have died with it",
            run_worker_id=str(pid),
        )
