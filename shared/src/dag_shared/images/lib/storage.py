"""Object-store backends without dagster: the S3 API (R2 in production) and a local folder.

The Dagster resource (`dag_shared.resources.object_store`) and the crawler process (which runs
with dagster-pipes only) use the same classes. Local writes are atomic (temp file + rename);
S3 calls go through botocore's standard retry mode (transient errors and throttling retried).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import Any, Protocol

S3_RETRY_ATTEMPTS = 5


class ObjectBackend(Protocol):
    def put(self, key: str, data: bytes, content_type: str) -> None: ...
    def get(self, key: str) -> bytes: ...
    def exists(self, key: str) -> bool: ...
    def list_keys(self, prefix: str) -> list[str]: ...
    def delete(self, key: str) -> None: ...
    def holds(self, key: str, data: bytes, content_type: str) -> bool: ...
    def reachable(self) -> None: ...


class LocalFolderBackend:
    """A bucket as a folder: keys are relative paths under `root`."""

    def __init__(self, root: Path):
        self.root = Path(root)

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

    def holds(self, key: str, data: bytes, content_type: str) -> bool:
        path = self._path(key)
        return path.is_file() and path.read_bytes() == data

    def reachable(self) -> None:
        """Creates the folder if needed; raises OSError when it cannot be a bucket."""
        self.root.mkdir(parents=True, exist_ok=True)
        if not os.access(self.root, os.W_OK):
            raise PermissionError(f"object store folder {self.root} is not writable")

    def describe(self) -> str:
        return f"local folder {self.root}"


class S3Backend:
    """One bucket on an S3 API server (Cloudflare R2, MinIO, moto...)."""

    def __init__(self, client: Any, bucket: str, page_size: int = 1000):
        self.client = client
        self.bucket = bucket
        self.page_size = page_size  # keys per list_objects_v2 page (1000 is the API's maximum)

    def put(self, key: str, data: bytes, content_type: str) -> None:
        self.client.put_object(Bucket=self.bucket, Key=key, Body=data, ContentType=content_type)

    def get(self, key: str) -> bytes:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read()
        except self.client.exceptions.NoSuchKey as error:
            raise KeyError(f"no object {key!r} in bucket {self.bucket}") from error

    def _head(self, key: str) -> dict | None:
        from botocore.exceptions import ClientError

        try:
            return self.client.head_object(Bucket=self.bucket, Key=key)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in {"404", "NoSuchKey", "NotFound"}:
                return None
            raise

    def exists(self, key: str) -> bool:
        return self._head(key) is not None

    def list_keys(self, prefix: str) -> list[str]:
        keys: list[str] = []
        paginator = self.client.get_paginator("list_objects_v2")
        pages = paginator.paginate(
            Bucket=self.bucket, Prefix=prefix, PaginationConfig={"PageSize": self.page_size}
        )
        for page in pages:
            keys.extend(item["Key"] for item in page.get("Contents", []))
        return sorted(keys)

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=key)

    def holds(self, key: str, data: bytes, content_type: str) -> bool:
        """True when the object exists with these bytes (single-part ETag = MD5) and content type."""
        head = self._head(key)
        if head is None:
            return False
        etag = str(head.get("ETag", "")).strip('"')
        return etag == hashlib.md5(data).hexdigest() and head.get("ContentType") == content_type

    def reachable(self) -> None:
        """Raises the S3 error when the bucket is missing or the credentials are refused."""
        self.client.head_bucket(Bucket=self.bucket)

    def describe(self) -> str:
        return f"bucket {self.bucket} at {self.client.meta.endpoint_url}"


def s3_client(endpoint_url: str, access_key_id: str | None, secret_access_key: str | None, region: str):
    import boto3
    from botocore.config import Config

    return boto3.client(
        "s3",
        endpoint_url=endpoint_url,
        aws_access_key_id=access_key_id,
        aws_secret_access_key=secret_access_key,
        region_name=region,
        config=Config(retries={"max_attempts": S3_RETRY_ATTEMPTS, "mode": "standard"}),
    )


def open_backend(
    bucket: str,
    endpoint_url: str | None = None,
    access_key_id: str | None = None,
    secret_access_key: str | None = None,
    region: str = "auto",
    local_root: str | Path | None = None,
) -> LocalFolderBackend | S3Backend:
    """The S3 bucket when an endpoint is given, else the folder `<local_root>/<bucket>`."""
    if not endpoint_url:
        if local_root is None:
            raise ValueError("a local object store needs its root folder")
        return LocalFolderBackend(Path(local_root) / bucket)
    return S3Backend(s3_client(endpoint_url, access_key_id, secret_access_key, region), bucket)
