"""Resources of the image pipeline, settings resolved when a run starts (never at load).

- `LogoStoreResource`: the location's source and target buckets (`<P>_R2_*`, `<P>_PUBLIC_URL`); an
  S3 endpoint when `<P>_R2_ENDPOINT` is set, else folders under `$DAG_DATA_DIR/object_store/<loc>`.
- `LogoCrawlerResource`: the search page (`LOGO_SEARCH_URL`, else a local stand-in it starts),
  Chromium, batch and concurrency, and the two ways to run the crawler through Dagster Pipes: a
  local process (`PipesSubprocessClient`) or a container (dagster-docker's `PipesDockerClient`).
A field set explicitly (launchpad, tests) wins over the variable.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dagster as dg
from pydantic import Field

from dag_shared.settings import data_dir, env

CRAWLER_MODULE = "dag_shared.images.logo_crawler"
_FROM_ENV = "unset: the variable {} when the run starts"


@dataclass(frozen=True)
class StoreSettings:
    endpoint_url: str | None
    access_key_id: str | None
    secret_access_key: str | None
    region: str
    source_bucket: str
    target_bucket: str
    public_url: str
    local_root: Path | None


class LogoStoreResource(dg.ConfigurableResource):
    """`<loc>_logo_store`: the source bucket (crawler screenshots) and the target bucket (published)."""

    location: str = Field(
        description="Location prefix; the variables read are <LOC>_R2_* and <LOC>_PUBLIC_URL."
    )
    endpoint_url: str | None = Field(default=None, description=_FROM_ENV.format("<LOC>_R2_ENDPOINT"))
    access_key_id: str | None = Field(default=None, description=_FROM_ENV.format("<LOC>_R2_ACCESS_KEY_ID"))
    secret_access_key: str | None = Field(
        default=None, description=_FROM_ENV.format("<LOC>_R2_SECRET_ACCESS_KEY")
    )
    region: str = Field(default="auto", description="Region name sent to the S3 API.")
    source_bucket: str | None = Field(default=None, description=_FROM_ENV.format("<LOC>_R2_SOURCE_BUCKET"))
    target_bucket: str | None = Field(default=None, description=_FROM_ENV.format("<LOC>_R2_TARGET_BUCKET"))
    public_url: str | None = Field(default=None, description=_FROM_ENV.format("<LOC>_PUBLIC_URL"))
    local_root: str | None = Field(
        default=None, description="Folder of the local buckets; unset: $DAG_DATA_DIR/object_store/<loc>."
    )

    def _env(self, suffix: str) -> str | None:
        return env(f"{self.location.upper()}_{suffix}")

    def settings(self) -> StoreSettings:
        endpoint = self.endpoint_url or self._env("R2_ENDPOINT")
        local_root = None
        if not endpoint:
            local_root = (
                Path(self.local_root) if self.local_root else data_dir() / "object_store" / self.location
            )
        target = self.target_bucket or self._env("R2_TARGET_BUCKET") or f"{self.location}-logos"
        public = self.public_url or self._env("PUBLIC_URL")
        if not public:
            if local_root is None:
                raise ValueError(f"{self.location.upper()}_PUBLIC_URL must be set when the buckets are on S3")
            public = (local_root / target).resolve().as_uri()
        return StoreSettings(
            endpoint_url=endpoint,
            access_key_id=self.access_key_id or self._env("R2_ACCESS_KEY_ID"),
            secret_access_key=self.secret_access_key or self._env("R2_SECRET_ACCESS_KEY"),
            region=self.region,
            source_bucket=self.source_bucket
            or self._env("R2_SOURCE_BUCKET")
            or f"{self.location}-logos-source",
            target_bucket=target,
            public_url=public.rstrip("/"),
            local_root=local_root,
        )

    def _backend(self, bucket: str):
        from dag_shared.images.lib.storage import open_backend

        s = self.settings()
        return open_backend(
            bucket,
            endpoint_url=s.endpoint_url,
            access_key_id=s.access_key_id,
            secret_access_key=s.secret_access_key,
            region=s.region,
            local_root=s.local_root,
        )

    def source(self):
        return self._backend(self.settings().source_bucket)

    def target(self):
        return self._backend(self.settings().target_bucket)


class LogoCrawlerResource(dg.ConfigurableResource):
    """`<loc>_logo_crawler`: where and how the crawler runs."""

    search_url: str | None = Field(
        default=None, description=_FROM_ENV.format("LOGO_SEARCH_URL") + "; empty: the local stand-in"
    )
    chromium_path: str | None = Field(default=None, description=_FROM_ENV.format("LOGO_CHROMIUM_PATH"))
    concurrency: int | None = Field(default=None, description=_FROM_ENV.format("LOGO_CRAWL_CONCURRENCY"))
    batch_size: int | None = Field(default=None, description=_FROM_ENV.format("LOGO_CRAWL_BATCH_SIZE"))
    timeout_seconds: float | None = Field(
        default=None, description=_FROM_ENV.format("LOGO_CRAWL_TIMEOUT_SECONDS")
    )
    image: str | None = Field(default=None, description=_FROM_ENV.format("LOGO_CRAWLER_IMAGE"))
    python: str | None = Field(default=None, description="Interpreter of the local process; unset: this one.")

    def configured_search_url(self) -> str | None:
        return self.search_url or env("LOGO_SEARCH_URL")

    def is_local(self) -> bool:
        """True when no live search page is configured: the local default with its stand-in."""
        return not self.configured_search_url()

    @contextmanager
    def search_endpoint(self, sample_names: Iterable[str]) -> Iterator[str]:
        """The live search URL, or the URL of a stand-in serving `sample_names` for the block."""
        configured = self.configured_search_url()
        if configured:
            yield configured
            return
        from dag_shared.images.lib.standin import SearchStandIn

        with SearchStandIn(sample_names) as standin:
            yield standin.search_url

    def tuning(self) -> dict[str, Any]:
        batch = self.batch_size or env("LOGO_CRAWL_BATCH_SIZE")
        return {
            "chromium_path": self.chromium_path or env("LOGO_CHROMIUM_PATH") or "/usr/bin/chromium",
            "concurrency": int(self.concurrency or env("LOGO_CRAWL_CONCURRENCY") or 2),
            "batch_size": int(batch) if batch else None,
            "timeout_seconds": float(self.timeout_seconds or env("LOGO_CRAWL_TIMEOUT_SECONDS") or 3600),
        }

    def run_process(
        self, context: dg.AssetExecutionContext, extras: Mapping[str, Any], secrets: Mapping[str, str]
    ) -> dg.PipesClientCompletedInvocation:
        """The crawler as a local process; a non-zero exit raises (and fails the asset)."""
        command = [self.python or sys.executable, "-m", CRAWLER_MODULE]
        return dg.PipesSubprocessClient().run(
            context=context, command=command, extras=extras, env=dict(secrets)
        )

    def run_container(
        self,
        context: dg.AssetExecutionContext,
        extras: Mapping[str, Any],
        secrets: Mapping[str, str],
        mounts: Iterable[Path] = (),
    ) -> dg.PipesClientCompletedInvocation:
        """The crawler in a container of `LOGO_CRAWLER_IMAGE` on the host network (it reaches the
        stand-in, the database and a local object store folder, mounted at the same path)."""
        from dag_shared.images.docker_client import CrawlerDockerClient

        image = self.image or env("LOGO_CRAWLER_IMAGE") or "dag-logo-crawler:dev"
        volumes = {str(path): {"bind": str(path), "mode": "rw"} for path in mounts}
        kwargs: dict[str, Any] = {"network_mode": "host", "volumes": volumes, "mem_limit": "4g"}
        environment = dict(secrets)
        if volumes:  # write the local buckets as this process's user, as the local process would
            kwargs["user"] = f"{os.getuid()}:{os.getgid()}"
            environment["HOME"] = "/tmp"
        client = CrawlerDockerClient()
        try:
            return client.run(
                context=context,
                image=image,
                command=["python", "-m", CRAWLER_MODULE],
                extras=extras,
                env=environment,
                container_kwargs=kwargs,
            )
        finally:
            client.remove_container()
