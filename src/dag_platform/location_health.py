"""Notice a location whose code server runs but whose definitions server is gone, and reload it.

`dagster code-server start` serves a proxy; the definitions are loaded by a child server. If that
child dies, the proxy keeps running and answering its health check, the webserver keeps showing
the location LOADED, and every call into it fails with DagsterUserCodeUnreachableError until
someone presses Reload. So every check the watch sends each location a `Ping` (forwarded to the
child). A location that answered before with the same code-server process and now fails
FAILURES_BEFORE_RELOAD pings in a row is reloaded through the webserver (the GraphQL
`reloadRepositoryLocation` mutation starts a new definitions server and refreshes the
webserver's copy); if that does not work, its code server is restarted.

After the supervisor restarted a code server, the webserver notices the new server id by itself
(it polls every code server's id each second) and refreshes; the watch only checks that the
location is usable once it answers, and reloads it if not. A restarted code server is left alone
while it starts, but for at most STARTUP_GRACE_SECONDS: if its definitions server died before the
watch ever saw it answer, it is then treated like any other location that stopped answering.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from dag_platform.grpc_health import answers_ping

log = logging.getLogger("dag_platform.stack")

FAILURES_BEFORE_RELOAD = 2
# A restarted code server that has not answered a ping after this long is no longer "starting".
STARTUP_GRACE_SECONDS = 60.0


@dataclass
class _LocationState:
    pid: int | None = None
    answered: bool = False  # the current code-server process has answered at least once
    failing_since: float | None = None
    failures: int = 0
    restarted: bool = False  # a new definitions server: confirm that the webserver uses it
    seen_at: float = 0.0  # when the watch first saw this code-server process


class LocationHealthWatch:
    def __init__(
        self,
        endpoints: dict[str, tuple[str, int]],
        running_pid: Callable[[str], int | None],
        reload: Callable[[str], bool],
        is_usable: Callable[[str], bool],
        restart: Callable[[str, str], None],
        loaded_pids: dict[str, int] | None = None,
        startup_grace: float = STARTUP_GRACE_SECONDS,
    ):
        self.endpoints = endpoints
        self.running_pid = running_pid
        self.reload = reload
        self.is_usable = is_usable
        self.restart = restart
        # The code-server process each location was seen loaded from at start-up: it has answered.
        self.loaded_pids = loaded_pids or {}
        self.startup_grace = startup_grace
        self._states = {name: _LocationState() for name in endpoints}

    def check(self) -> None:
        for name, (host, port) in self.endpoints.items():
            self._check_one(name, host, port)

    def _check_one(self, name: str, host: str, port: int) -> None:
        state = self._states[name]
        pid = self.running_pid(name)
        if pid is None:  # down, waiting for its restart, or given up: the supervisor's business
            return
        if pid != state.pid:
            # The process the stack's start-up saw loaded has answered; any other (restarted, even
            # before the first check) is still starting until it answers.
            loaded = pid == self.loaded_pids.get(name, pid if state.pid is None else None)
            self._states[name] = state = _LocationState(
                pid=pid, answered=loaded, restarted=not loaded, seen_at=time.monotonic()
            )
        if answers_ping(host, port):
            if state.failing_since is not None:
                log.info(f"{name}: definitions server answers again")
            if state.restarted and not self.is_usable(name):
                log.info(f"{name}: restarted code server answers; reloading it in the webserver")
                self.reload(name)
            state.answered, state.failures, state.failing_since, state.restarted = True, 0, None, False
            return
        if not state.answered:
            if time.monotonic() - state.seen_at < self.startup_grace:
                return  # still starting
            state.answered = True  # started long ago: count its failures from now on
        state.failures += 1
        state.failing_since = state.failing_since or time.monotonic()
        if state.failures < FAILURES_BEFORE_RELOAD:
            return
        log.warning(
            f"{name}: code server (pid {pid}) runs but its definitions server has not answered for "
            f"{time.monotonic() - state.failing_since:.1f}s; reloading the location"
        )
        # The code server starts the new definitions server before it shuts the old one down, which
        # fails for a dead one: the mutation then reports an error although the new server runs, and
        # the webserver keeps that error until the location is reloaded once more.
        reloaded = self.reload(name)
        if not reloaded and answers_ping(host, port):
            reloaded = self.is_usable(name) or self.reload(name)
        if reloaded:
            log.info(
                f"{name}: reloaded, {time.monotonic() - state.failing_since:.1f}s after it stopped answering"
            )
            state.failures, state.failing_since, state.restarted = 0, None, False
        elif answers_ping(host, port):
            log.warning(
                f"{name}: definitions server answers but the webserver has not taken it up; next check"
            )
            state.failures, state.failing_since, state.restarted = 0, None, True
        else:
            self.restart(name, "reloading did not bring its definitions server back")
