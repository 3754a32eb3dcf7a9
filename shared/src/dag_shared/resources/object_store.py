"""Object store resource: the S3 API (Cloudflare R2 or any S3 server) live, a local folder by default.

Both backends expose the same small interface (put, get, exists, list, delete, holds, reachable)
so assets never know which one they run against; they live in `dag_shared.images.lib.storage`
(without dagster) so the logo crawler's container uses the same code. Writes to the local folder are atomic (temp file + rename).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dagster as dg
from pydantic import Field, PrivateAttr

from dag_shared.images.lib.storage import LocalFolderBackend, ObjectBackend, S3Backend, open_backend
from dag_shared.settings import data_dir, env

__all__ = ["LocalFolderBackend", "ObjectBackend", "ObjectStoreResource", "S3Backend", "object_store_resource"]


class ObjectStoreResource(dg.ConfigurableResource):
    bucket: str = Field(default="dag", description="Bucket, or sub-folder of the local root.")
    endpoint_url: str | None = Field(default=None, description="S3 endpoint; empty = local folder.")
    access_key_id: str | None = Field(default=None)
    secret_access_key: str | None = Field(default=None)
    region: str = Field(default="auto")
    local_root: str | None = Field(default=None, description="Folder used when no endpoint is set.")

    _backend: Any = PrivateAttr(default=None)

    @property
    def backend(self) -> ObjectBackend:
        if self._backend is None:
            self._backend = self._make_backend()
        return self._backend

    def _make_backend(self) -> ObjectBackend:
        return open_backend(
            self.bucket,
            endpoint_url=self.endpoint_url,
            access_key_id=self.access_key_id,
            secret_access_key=self.secret_access_key,
            region=self.region,
            local_root=None if self.endpoint_url else Path(self.local_root or data_dir() / "object_store"),
        )

    def put(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> None:
        self.backend.put(key, data, content_type)

    def get(self, key: str) -> bytes:
        return self.backend.get(key)

    def exists(self, key: str) -> bool:
        return self.backend.exists(key)

    def list_keys(self, prefix: str = "") -> list[str]:
        return self.backend.list_keys(prefix)

    def delete(self, key: str) -> None:
        self.backend.delete(key)

    def holds(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> bool:
        """True when the object already exists with exactly these bytes (and content type on S3)."""
        return self.backend.holds(key, data, content_type)

    def reachable(self) -> None:
        """Raises when the bucket (or local folder) cannot be used."""
        self.backend.reachable()


def object_store_resource() -> ObjectStoreResource:
    return ObjectStoreResource(
        bucket=env("OBJECT_STORE_BUCKET") or "dag",
        endpoint_url=env("OBJECT_STORE_ENDPOINT_URL"),
        access_key_id=env("OBJECT_STORE_ACCESS_KEY_ID"),
        secret_access_key=env("OBJECT_STORE_SECRET_ACCESS_KEY"),
        region=env("OBJECT_STORE_REGION") or "auto",
    )
