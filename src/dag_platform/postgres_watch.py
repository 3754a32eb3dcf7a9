"""Notice the instance's PostgreSQL going away; start the embedded one again, log any outage.

The embedded server is watched through its postmaster's PID (postmaster.pid): when it is gone the
outage is logged and the server is started again under the restart policy (a killed postmaster's
backends take a moment to exit and release its shared memory, so the first attempt may fail and
is retried with backoff). A configured server (DAGSTER_POSTGRES_URL) is not the launcher's to
manage: the watch only logs when it stops and starts answering. Dagster's Postgres storages open a
new connection for every query, so the webserver and daemon answer again as soon as the server does.
"""

from __future__ import annotations

import logging
import time

import psycopg

from dag_platform.postgres_setup import StackPostgres
from dag_platform.restart_policy import RestartBudget, RestartPolicy

log = logging.getLogger("dag_platform.stack")


class PostgresWatch:
    def __init__(self, postgres: StackPostgres, policy: RestartPolicy):
        self.postgres = postgres
        self.policy = policy
        self.budget = RestartBudget(policy)
        self.up_since = time.monotonic()
        self.outage_since: float | None = None
        self.next_start_at = 0.0
        self.attempt = 0
        self.given_up = False

    def check(self) -> None:
        if self._answers():
            if self.outage_since is not None:
                log.info(
                    f"instance PostgreSQL answers again after a {time.monotonic() - self.outage_since:.1f}s outage"
                )
                self.outage_since = None
                self.up_since = time.monotonic()
            return
        now = time.monotonic()
        embedded = self.postgres.embedded
        if self.outage_since is None:
            self.outage_since = now
            if embedded is None:
                log.error(
                    "instance PostgreSQL (DAGSTER_POSTGRES_URL) does not answer: runs, schedules and the UI "
                    "fail until it is back; the launcher does not manage that server"
                )
                return
            self._schedule_start(now, ran_for=now - self.up_since)
            return
        if embedded is not None and not self.given_up and now >= self.next_start_at:
            self._start(now)

    def _answers(self) -> bool:
        embedded = self.postgres.embedded
        if embedded is not None:
            return embedded.is_running()
        try:
            with psycopg.connect(self.postgres.instance_url, connect_timeout=3):
                return True
        except psycopg.Error:
            return False

    def _schedule_start(self, now: float, ran_for: float) -> None:
        log_hint = f" (see {self.postgres.embedded.pgdata / 'server.log'})"
        planned = self.budget.after_exit("embedded PostgreSQL is down", ran_for, now, log_hint)
        if planned is None:
            self.given_up = True
        else:
            self.attempt, self.next_start_at = planned.attempt, planned.at

    def _start(self, now: float) -> None:
        try:
            self.postgres.embedded.start()
        except Exception as error:  # noqa: BLE001 - any failure to start is retried under the policy
            log.warning(f"embedded PostgreSQL did not start (attempt {self.attempt}): {str(error)[-500:]}")
            self._schedule_start(now, ran_for=0.0)
            return
        log.info(
            f"embedded PostgreSQL restarted (attempt {self.attempt} of {self.policy.max_restarts}) "
            f"after a {time.monotonic() - self.outage_since:.1f}s outage"
        )
        self.outage_since = None
        self.up_since = time.monotonic()
