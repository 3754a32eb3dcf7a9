"""What the crawler is told: non-secret settings as Pipes extras, credentials as environment.

The launcher passes the database URL and the object-store credentials in the environment
(`LOGO_DATABASE_URL`, `LOGO_S3_ACCESS_KEY_ID`, `LOGO_S3_SECRET_ACCESS_KEY`) and everything else as
extras, so no credential is baked into an image or written to a log.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from dag_shared.images.lib.companies import CompanyTable

DATABASE_URL_ENV = "LOGO_DATABASE_URL"
ACCESS_KEY_ENV = "LOGO_S3_ACCESS_KEY_ID"
SECRET_KEY_ENV = "LOGO_S3_SECRET_ACCESS_KEY"
SECRET_ENV = (DATABASE_URL_ENV, ACCESS_KEY_ENV, SECRET_KEY_ENV)
DEFAULT_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)


class CrawlSettingsError(ValueError):
    """A setting the crawler cannot work without is missing or malformed."""


@dataclass(frozen=True)
class CrawlSettings:
    table: CompanyTable
    search_url: str
    bucket: str
    endpoint_url: str | None
    region: str
    local_root: str | None
    chromium_path: str
    concurrency: int
    batch_size: int | None
    timeout_seconds: float
    page_attempts: int
    after_id: str | None = None  # with batch_size: the last company of the previous batch

    def extras(self) -> dict[str, Any]:
        """The Pipes extras that describe these settings (the launcher's side)."""
        return {
            "table": self.table.as_dict(),
            "search_url": self.search_url,
            "bucket": self.bucket,
            "endpoint_url": self.endpoint_url,
            "region": self.region,
            "local_root": self.local_root,
            "chromium_path": self.chromium_path,
            "concurrency": self.concurrency,
            "batch_size": self.batch_size,
            "timeout_seconds": self.timeout_seconds,
            "page_attempts": self.page_attempts,
            "after_id": self.after_id,
        }


def _positive_int(extras: dict[str, Any], name: str, default: int | None) -> int | None:
    value = extras.get(name, default)
    if value is None:
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise CrawlSettingsError(f"extra {name!r} must be a positive integer, got {value!r}") from None
    if number < 1:
        raise CrawlSettingsError(f"extra {name!r} must be a positive integer, got {value!r}")
    return number


def from_extras(extras: dict[str, Any]) -> CrawlSettings:
    for name in ("table", "search_url", "bucket"):
        if not extras.get(name):
            raise CrawlSettingsError(f"the launcher passed no {name!r} extra")
    if not extras.get("endpoint_url") and not extras.get("local_root"):
        raise CrawlSettingsError("neither an S3 endpoint nor a local object-store folder was passed")
    try:
        table = CompanyTable.from_dict(extras["table"])
        timeout = float(extras.get("timeout_seconds") or 3600)
    except (TypeError, ValueError) as error:
        raise CrawlSettingsError(str(error)) from None
    if not timeout > 0:
        raise CrawlSettingsError(f"extra 'timeout_seconds' must be positive, got {timeout!r}")
    return CrawlSettings(
        table=table,
        search_url=str(extras["search_url"]),
        bucket=str(extras["bucket"]),
        endpoint_url=extras.get("endpoint_url") or None,
        region=str(extras.get("region") or "auto"),
        local_root=extras.get("local_root") or None,
        chromium_path=str(extras.get("chromium_path") or DEFAULT_CHROMIUM),
        concurrency=_positive_int(extras, "concurrency", 2) or 2,
        batch_size=_positive_int(extras, "batch_size", None),
        timeout_seconds=timeout,
        page_attempts=_positive_int(extras, "page_attempts", 2) or 2,
        after_id=str(extras["after_id"]) if extras.get("after_id") is not None else None,
    )


def database_url() -> str:
    url = os.environ.get(DATABASE_URL_ENV, "")
    if not url.strip():
        raise CrawlSettingsError(f"{DATABASE_URL_ENV} is not set: the launcher passes the database URL")
    return url
