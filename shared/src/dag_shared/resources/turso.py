"""Turso (libsql) resource: a local libsql file by default, an embedded replica synced with Turso
when TURSO_DATABASE_URL and TURSO_AUTH_TOKEN are set.

Syncing is explicit: writers call `sync()` after committing, so it is visible in the run log when
data leaves the machine.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import dagster as dg
from pydantic import Field

from dag_shared.settings import data_dir, env


class TursoResource(dg.ConfigurableResource):
    local_path: str = Field(description="Path of the local libsql file (replica when syncing).")
    sync_url: str | None = Field(default=None, description="libsql:// URL of the Turso database.")
    auth_token: str | None = Field(default=None, description="Turso auth token.")

    @property
    def syncs_remotely(self) -> bool:
        return bool(self.sync_url)

    @contextmanager
    def connection(self) -> Iterator[Any]:
        """A libsql connection; committed on success, rolled back on error."""
        import libsql_experimental as libsql

        if self.syncs_remotely and not self.auth_token:
            raise ValueError("TURSO_DATABASE_URL is set but TURSO_AUTH_TOKEN is empty")
        kwargs = {"sync_url": self.sync_url, "auth_token": self.auth_token} if self.syncs_remotely else {}
        conn = libsql.connect(self.local_path, **kwargs)
        try:
            yield conn
            conn.commit()
        except BaseException:
            conn.rollback()
            raise
        finally:
            conn.close()

    def sync(self, log: Any = None) -> bool:
        """Push and pull the embedded replica; a no-op (returning False) for a local-only file."""
        if not self.syncs_remotely:
            return False
        import libsql_experimental as libsql

        conn = libsql.connect(self.local_path, sync_url=self.sync_url, auth_token=self.auth_token)
        try:
            conn.sync()
        finally:
            conn.close()
        if log is not None:
            log.info(f"synced {self.local_path} with Turso")
        return True


def turso_resource() -> TursoResource:
    return TursoResource(
        local_path=env("TURSO_LOCAL_PATH") or str(data_dir() / "cd_turso.db"),
        sync_url=env("TURSO_DATABASE_URL"),
        auth_token=env("TURSO_AUTH_TOKEN"),
    )
