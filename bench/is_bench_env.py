"""Scratch Postgres databases for the IS benchmarks (ingest, enrichment, clustering, trends).

Each benchmark measures in databases of its own, dropped afterwards: on the server named by
DAG_TEST_POSTGRES_URL when it is set, else on an embedded PostgreSQL started for the run and
stopped at the end.
"""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def scratch_databases(count: int) -> Iterator[list[str]]:
    """The URLs of `count` new empty databases, dropped (and the embedded server stopped) on exit."""
    from dag_shared.embedded_postgres import EmbeddedPostgres, drop_database, ensure_database, free_port
    from dag_shared.settings import env

    server, embedded = env("DAG_TEST_POSTGRES_URL"), None
    if not server:
        embedded = EmbeddedPostgres(Path(tempfile.mkdtemp(prefix="is-bench-pg-")) / "data", free_port())
        server = embedded.start()
    names = [f"is_bench_{uuid.uuid4().hex[:8]}" for _ in range(count)]
    try:
        yield [ensure_database(server, name) for name in names]
    finally:
        for name in names:
            drop_database(server, name)
        if embedded is not None:
            embedded.stop()
