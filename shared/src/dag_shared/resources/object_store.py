"""Object store resource: the S3 API (Cloudflare R2 or any S3 server) live, a local folder by default.

Both backends expose the same small interface (put, get, exists, list, delete) so assets never
know which one they run against. Writes to the local folder are atomic (temp file + rename).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any, Protocol

import dagster as dg
from pydantic import Field, PrivateAttr

from dag_shared.settings import data_dir, env


class ObjectBackend(Protocol):
    def put(self, key: str, data: bytes, content_type: str) -> None: ...
    def get(self, key: str) -> bytes: ...
    def exists(self, key: str) -> bool: ...
    def list_keys(self, prefix: str) -> list[str]: ...
    def delete(self, key: str) -> None: ...


class LocalFolderBackend:
    def __init__(self, root: Path):
        self.root = root

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if self.root.resolve() not in path.parents:
            raise ValueError(f"object key {key!r} escapes the store root {self.root}")
        return path

    def put(self, key: str, data: bytes, content_type: str) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)

    def get(self, key: str) -> bytes:
        path = self._path(key)
        if not path.is_file():
            raise KeyError(f"no object {key!r} in {self.root}")
        return path.read_bytes()

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def list_keys(self, prefix: str) -> list[str]:
        if not self.root.exists():
            return []
        keys = (p.relative_to(self.root).as_posix() for p in self.root.rglob("*") if p.is_file())
        return sorted(
            k for k in keys if k.startswith(prefix) and not k.rsplit("/", 1)[-1].startswith(".tmp-")
        )

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)


class S3Backend:
    def __init__(self, client: Any, bucket: str):
        self.client = client
        self.bucket = bucket

    def put(self, key: str, data: bytes, content_type: str) -> None:
        self.client.put_object(Bucket=self.bucket, Key=key, Body=data, ContentType=content_type)

    def get(self, key: str) -> bytes:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read()
        except self.client.exceptions.NoSuchKey as error:
            raise KeyError(f"no object {key!r} in bucket {self.bucket}") from error

    def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=key)
            return True
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in {"404", "NoSuchKey", "NotFound"}:
                return False
            raise

    def list_keys(self, prefix: str) -> list[str]:
        keys: list[str] = []
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix):
            keys.extend(item["Key"] for item in page.get("Contents", []))
        return sorted(keys)

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=key)


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
        if not self.endpoint_url:
            root = Path(self.local_root or data_dir() / "object_store") / self.bucket
            return LocalFolderBackend(root)
        import boto3

        client = boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            aws_access_key_id=self.access_key_id,
            aws_secret_access_key=self.secret_access_key,
            region_name=self.region,
        )
        return S3Backend(client, self.bucket)

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


def object_store_resource() -> ObjectStoreResource:
    return ObjectStoreResource(
        bucket=env("OBJECT_STORE_BUCKET") or "dag",
        endpoint_url=env("OBJECT_STORE_ENDPOINT_URL"),
        access_key_id=env("OBJECT_STORE_ACCESS_KEY_ID"),
        secret_access_key=env("OBJECT_STORE_SECRET_ACCESS_KEY"),
        region=env("OBJECT_STORE_REGION") or "auto",
    )
