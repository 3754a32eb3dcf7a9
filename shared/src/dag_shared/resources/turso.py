"""Turso (libsql) resource: a local libsql file by default, an embedded replica synced with Turso
when TURSO_DATABASE_URL and TURSO_AUTH_TOKEN are set.

Syncing is explicit: writers call `sync()` after committing, so it is visible in the run log when
data leaves the machine. `turso_resource()` reads the TURSO_* variables when a run uses the
resource, not when definitions load, so changing them needs no code-server reload.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import dagster as dg
from pydantic import Field

from dag_shared.settings import data_dir, env


class TursoResource(dg.ConfigurableResource):
    local_path: str | None = Field(
        default=None,
        description="Path of the local libsql file (replica when syncing); unset: from the environment.",
    )
    sync_url: str | None = Field(default=None, description="libsql:// URL of the Turso database.")
    auth_token: str | None = Field(default=None, description="Turso auth token.")
    from_environment: bool = Field(
        default=False,
        description="Fill unset fields from TURSO_LOCAL_PATH, TURSO_DATABASE_URL and TURSO_AUTH_TOKEN "
        "when a run uses the resource.",
    )

    def _settings(self) -> tuple[str, str | None, str | None]:
        path, url, token = self.local_path, self.sync_url, self.auth_token
        if self.from_environment:
            path = path or env("TURSO_LOCAL_PATH") or str(data_dir() / "cd_turso.db")
            url, token = url or env("TURSO_DATABASE_URL"), token or env("TURSO_AUTH_TOKEN")
        if not path:
            raise ValueError("TursoResource needs local_path (or from_environment=True)")
        return path, url, token

    @property
    def syncs_remotely(self) -> bool:
        return bool(self._settings()[1])

    @contextmanager
    def connection(self) -> Iterator[Any]:
        """A libsql connection; committed on success, rolled back on error."""
        import libsql_experimental as libsql

        path, url, token = self._settings()
        if url and not token:
            raise ValueError("TURSO_DATABASE_URL is set but TURSO_AUTH_TOKEN is empty")
        kwargs = {"sync_url": url, "auth_token": token} if url else {}
        conn = libsql.connect(path, **kwargs)
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
        path, url, token = self._settings()
        if not url:
            return False
        import libsql_experimental as libsql

        conn = libsql.connect(path, sync_url=url, auth_token=token)
        try:
            conn.sync()
        finally:
            conn.close()
        if log is not None:
            log.info(f"synced {path} with Turso")
        return True


def turso_resource() -> TursoResource:
    """The CD mirror: TURSO_LOCAL_PATH (default `$DAG_DATA_DIR/cd_turso.db`), synced with
    TURSO_DATABASE_URL when set, all read when a run uses it."""
    return TursoResource(from_environment=True)
