"""Run a producer one step ahead of its consumer, in a thread, with a bounded queue.

The platform's large loads stream CSV into Postgres COPY: formatting or exporting the next chunk
(polars, DuckDB) overlaps Postgres ingesting the previous one. This module is that overlap, once:
CD history and the NPS load both use it with `dag_shared.resources.postgres.copy_csv_chunks`.
An error in the producer is raised in the consumer; a consumer that stops early stops the
producer and lets it drain, and `discard` is called on every item produced but never consumed
(for example to delete a temporary file).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from typing import TypeVar

T = TypeVar("T")

_DONE = object()


class _Failed:
    def __init__(self, error: BaseException):
        self.error = error


def prefetched(
    produce: Callable[[], Iterator[T]],
    *,
    depth: int = 2,
    name: str = "prefetch",
    discard: Callable[[T], None] | None = None,
) -> Iterator[T]:
    """Yield what `produce()` yields, computed by a thread up to `depth` items ahead."""
    items: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def run() -> None:
        try:
            for item in produce():
                if stop.is_set():
                    if discard is not None:
                        discard(item)
                    return
                items.put(item)
            items.put(_DONE)
        except BaseException as error:  # noqa: BLE001 - handed to the consumer, which raises it
            items.put(_Failed(error))

    thread = threading.Thread(target=run, name=name, daemon=True)
    thread.start()
    try:
        while (item := items.get()) is not _DONE:
            if isinstance(item, _Failed):
                raise item.error
            yield item
    finally:
        stop.set()
        while thread.is_alive() or not items.empty():
            try:
                left = items.get(timeout=0.05)
            except queue.Empty:
                continue
            if discard is not None and left is not _DONE and not isinstance(left, _Failed):
                discard(left)
