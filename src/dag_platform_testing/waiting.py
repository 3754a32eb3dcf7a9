"""Waiting for the local stack in the stack suites: poll a condition until it holds or time runs out.

A stack test waits for things the daemon and the code servers do on their own time (a sensor's
first tick, a run a sensor launched, a row a downstream job wrote). `wait_for` polls, returns the
first truthy answer, and on timeout fails naming what it waited for, the last answer and the end
of the launcher's output, which is where the reason usually is.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dag_platform_testing.stack_harness import RunningStack


def wait_for(
    condition: Callable[[], Any],
    timeout: float,
    what: str,
    *,
    poll: float = 1.0,
    stack: RunningStack | None = None,
) -> Any:
    """The first truthy value of `condition()`, polled every `poll` seconds for `timeout` seconds."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = condition()
        if last:
            return last
        time.sleep(poll)
    output = f"\n{stack.output()[-3000:]}" if stack is not None else ""
    raise AssertionError(f"{what} within {timeout:.0f}s (last: {last}){output}")
