"""When a crashed process of the stack is started again, and when the launcher gives up on it.

Exponential backoff: the first restart waits `backoff` seconds, each further one twice as long, at
most `max_backoff`. A process may be restarted `max_restarts` times; a process that then dies
again is left down. A process that has run `stable_after` seconds since its last restart counts
as healthy again: its next crash starts from attempt 1. The values come from
DAG_SUPERVISE_MAX_RESTARTS, DAG_SUPERVISE_BACKOFF_SECONDS and DAG_SUPERVISE_STABLE_SECONDS.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from dag_shared.settings import env

log = logging.getLogger("dag_platform.stack")

DEFAULT_MAX_RESTARTS = 5
DEFAULT_BACKOFF_SECONDS = 1.0
MAX_BACKOFF_SECONDS = 30.0
DEFAULT_STABLE_SECONDS = 120.0


@dataclass(frozen=True)
class RestartPolicy:
    max_restarts: int = DEFAULT_MAX_RESTARTS
    backoff: float = DEFAULT_BACKOFF_SECONDS
    max_backoff: float = MAX_BACKOFF_SECONDS
    stable_after: float = DEFAULT_STABLE_SECONDS

    @classmethod
    def from_environment(cls) -> RestartPolicy:
        return cls(
            max_restarts=int(env("DAG_SUPERVISE_MAX_RESTARTS") or DEFAULT_MAX_RESTARTS),
            backoff=float(env("DAG_SUPERVISE_BACKOFF_SECONDS") or DEFAULT_BACKOFF_SECONDS),
            stable_after=float(env("DAG_SUPERVISE_STABLE_SECONDS") or DEFAULT_STABLE_SECONDS),
        )

    def delay(self, attempt: int) -> float:
        """Seconds to wait before restart number `attempt` (1-based)."""
        return min(self.backoff * 2 ** (attempt - 1), self.max_backoff)


@dataclass(frozen=True)
class PlannedRestart:
    attempt: int
    at: float  # monotonic time of the restart
    delay: float
    max_restarts: int

    def __str__(self) -> str:
        return f"in {self.delay:.1f}s (attempt {self.attempt} of {self.max_restarts})"


class RestartBudget:
    """The restart count of one process under a policy: the next attempt, or None to give up."""

    def __init__(self, policy: RestartPolicy):
        self.policy = policy
        self.attempts = 0

    def next_attempt(self, ran_for: float) -> int | None:
        """Called when the process died after running `ran_for` seconds since its last start."""
        if ran_for >= self.policy.stable_after:
            self.attempts = 0
        if self.attempts >= self.policy.max_restarts:
            return None
        self.attempts += 1
        return self.attempts

    def plan(self, ran_for: float, now: float) -> PlannedRestart | None:
        """The next restart of a process that died at `now` after running `ran_for` seconds, or
        None when the budget is spent and the process is to be left down."""
        attempt = self.next_attempt(ran_for)
        if attempt is None:
            return None
        delay = self.policy.delay(attempt)
        return PlannedRestart(attempt, now + delay, delay, self.policy.max_restarts)

    def after_exit(self, what: str, ran_for: float, now: float, note: str = "") -> PlannedRestart | None:
        """Plan the restart of a process that died (`what` says how) and log the decision: the
        wait and attempt, or that the process is left down. `note` ends either line (a log hint)."""
        planned = self.plan(ran_for, now)
        if planned is None:
            log.error(f"{what}; given up after {self.policy.max_restarts} restarts; leaving it down{note}")
        else:
            log.warning(f"{what}; restarting it {planned}{note}")
        return planned
