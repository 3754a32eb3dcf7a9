"""Restart a crashed process of the running stack, alone, with backoff; give up on it after too many.

The stack hands every child (code servers, webserver, daemon) to one Supervisor once it is up.
`tick()` runs on the launcher's loop: a process found dead has its process group cleaned up (a
code server's definitions server, a run worker), is started again with the same command after the
policy's backoff, and is left down once its restart budget is spent. Nothing else is touched: the
other processes keep their PIDs. Every decision is logged with the process name, the attempt and
the wait.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from dag_platform.processes import ManagedProcess
from dag_platform.restart_policy import RestartBudget, RestartPolicy

log = logging.getLogger("dag_platform.stack")


@dataclass
class _Supervised:
    spawn: Callable[[], ManagedProcess]
    budget: RestartBudget
    started_at: float = field(default_factory=time.monotonic)
    restart_at: float | None = None  # set while the process is dead and waiting for its restart
    attempt: int = 0
    given_up: bool = False


class Supervisor:
    """Keeps `processes` (name -> ManagedProcess, shared with the stack) running."""

    def __init__(
        self,
        processes: dict[str, ManagedProcess],
        policy: RestartPolicy,
        log_hint: Callable[[str], str] = lambda name: "",
    ):
        self.processes = processes
        self.policy = policy
        self.log_hint = log_hint
        self._supervised: dict[str, _Supervised] = {}
        self._lock = threading.RLock()
        self._stopped = False

    def adopt(self, name: str, spawn: Callable[[], ManagedProcess]) -> None:
        """Watch the running process `name`; `spawn` starts a replacement with the same command."""
        with self._lock:
            self._supervised[name] = _Supervised(spawn, RestartBudget(self.policy))

    def running_pid(self, name: str) -> int | None:
        """PID of `name` while it runs under supervision; None while it is down or waiting."""
        with self._lock:
            state = self._supervised.get(name)
            process = self.processes.get(name)
            if state is None or state.restart_at is not None or state.given_up or process is None:
                return None
            return process.pid if process.alive() else None

    def is_given_up(self, name: str) -> bool:
        with self._lock:
            return name in self._supervised and self._supervised[name].given_up

    def restart(self, name: str, reason: str) -> None:
        """Stop `name` now (its whole process group); the next tick restarts it under the policy."""
        with self._lock:
            process = self.processes.get(name)
            if self._stopped or process is None or not process.alive():
                return
            log.warning(f"{name}: {reason}; restarting it")
            process.stop(timeout=5)

    def tick(self, now: float | None = None) -> None:
        with self._lock:
            if self._stopped:
                return
            now = time.monotonic() if now is None else now
            for name, state in self._supervised.items():
                if state.given_up:
                    continue
                if state.restart_at is None:
                    self._notice_exit(name, state, now)
                elif now >= state.restart_at:
                    self._restart(name, state, now)

    def stop(self) -> None:
        """No restarts from now on: the stack is shutting down."""
        with self._lock:
            self._stopped = True

    def _notice_exit(self, name: str, state: _Supervised, now: float) -> None:
        process = self.processes[name]
        if process.alive():
            return
        code = process.process.returncode
        ran_for = now - state.started_at
        process.stop(timeout=5)  # the leader is gone; end what it left in its group and close the log
        hint = self.log_hint(name)
        what = f"{name} exited unexpectedly (exit code {code}) after {ran_for:.1f}s"
        planned = state.budget.after_exit(what, ran_for, now, f"; the rest of the stack keeps running{hint}")
        if planned is None:
            state.given_up = True
        else:
            state.attempt, state.restart_at = planned.attempt, planned.at

    def _restart(self, name: str, state: _Supervised, now: float) -> None:
        try:
            self.processes[name] = state.spawn()
        except OSError as error:  # the executable vanished: count it like a crash
            log.error(f"{name} could not be started again: {error}")
            state.restart_at = None
            state.started_at = now
            return
        state.restart_at = None
        state.started_at = now
        log.info(
            f"{name} restarted (attempt {state.attempt} of {self.policy.max_restarts}, "
            f"pid {self.processes[name].pid})"
        )
