"""The image-pipeline factory: one parametrised asset graph that CD and DS instantiate.

crawl (`*_img_r2_docker` in a container, `*_img_r2_node` as a local process; both the same Python
crawler through Dagster Pipes) → `*_r2_download` → `*_png2webp` → `*_img_finalize`, plus the two
manual bucket clean-ups and the jobs `*_docker_job` / `*_node_job`. Bodies import the domain code
(`dag_shared.images.lib`) lazily, so loading definitions stays cheap.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import dagster as dg

from dag_shared.images.checks import build_checks
from dag_shared.images.resources import LogoCrawlerResource, LogoStoreResource
from dag_shared.images.spec import ImagePipelineSpec
from dag_shared.metadata import table_metadata
from dag_shared.settings import data_dir

DOMAIN = "image_processing"
CRAWL_COLUMNS = ("company_id", "name", "found", "key", "bytes", "error")
CRAWL_TYPES = ("text", "text", "bool", "text", "int", "text")
UPDATE_COLUMNS = ("company_id", "company_name", "url")
PREVIEW = 5


def work_dir(prefix: str, bucket: str) -> Path:
    """Local folder of one bucket's files during a run: `$DAG_DATA_DIR/images/<prefix>/<bucket>`."""
    return data_dir() / "images" / prefix / bucket


def _rows_metadata(columns, types, rows: list[tuple], extra: dict[str, Any]) -> dict[str, Any]:
    head, tail = rows[:PREVIEW], rows[PREVIEW:][-PREVIEW:]
    return {**table_metadata(columns, types, head, tail, len(rows)), **extra}


def _crawl(spec: ImagePipelineSpec, context: dg.AssetExecutionContext, in_container: bool):
    from dag_shared.images.logo_crawler.settings import (
        ACCESS_KEY_ENV,
        DATABASE_URL_ENV,
        SECRET_KEY_ENV,
        CrawlSettings,
    )

    store: LogoStoreResource = getattr(context.resources, spec.store_key)
    crawler: LogoCrawlerResource = getattr(context.resources, spec.crawler_key)
    postgres = getattr(context.resources, spec.postgres_key)
    with postgres.transaction() as conn:
        spec.prepare(conn, crawler.is_local())
    settings = store.settings()
    source = store.source()
    source.reachable()
    secrets = {DATABASE_URL_ENV: postgres.url}
    if settings.access_key_id:
        secrets[ACCESS_KEY_ENV] = settings.access_key_id
    if settings.secret_access_key:
        secrets[SECRET_KEY_ENV] = settings.secret_access_key
    with crawler.search_endpoint(spec.sample_names()) as search_url:
        extras = CrawlSettings(
            table=spec.table,
            search_url=search_url,
            bucket=settings.source_bucket,
            endpoint_url=settings.endpoint_url,
            region=settings.region,
            local_root=str(settings.local_root) if settings.local_root else None,
            page_attempts=2,
            after_id=_previous_batch_end(context),
            **crawler.tuning(),
        ).extras()
        context.log.info(f"crawler: search {search_url}, source {settings.source_bucket}")
        if in_container:
            mounts = [settings.local_root] if settings.local_root else []
            invocation = crawler.run_container(context, extras, secrets, mounts)
        else:
            invocation = crawler.run_process(context, extras, secrets)
    return _crawl_result(spec, invocation, source)


def _previous_batch_end(context) -> str | None:
    """The last company id the asset's previous crawl reported (batches continue from there)."""
    event = context.instance.get_latest_materialization_event(context.asset_key)
    materialization = event.asset_materialization if event is not None else None
    value = materialization.metadata.get("last_company_id") if materialization is not None else None
    text = getattr(value, "value", None)
    return text or None


def _crawl_result(spec: ImagePipelineSpec, invocation, source) -> dg.MaterializeResult:
    """The crawler's own report, held against its per-company messages and the bucket."""
    reported = invocation.get_materialize_result()
    results = [m for m in invocation.get_custom_messages() if isinstance(m, dict) and "company_id" in m]
    keys = [m["key"] for m in results if m.get("key")]
    count = reported.metadata["uploaded"]
    uploaded = getattr(count, "value", count)
    if uploaded != len(keys):
        raise dg.Failure(f"the crawler reported {uploaded} uploads but sent {len(keys)} per-company results")
    absent = [key for key in keys if not source.exists(key)]
    if absent:
        raise dg.Failure(f"the crawler reported uploads missing from the source bucket: {absent[:20]}")
    failures = [m for m in results if m.get("error")]
    rows = [tuple(m.get(c) for c in CRAWL_COLUMNS) for m in results]
    metadata = {**reported.metadata, **_rows_metadata(CRAWL_COLUMNS, CRAWL_TYPES, rows, {})}
    metadata["dagster/row_count"] = dg.MetadataValue.int(len(keys))
    check = dg.AssetCheckResult(
        check_name=f"{spec.prefix}_crawl_failures",
        passed=not failures,
        metadata={
            "failed_companies": len(failures),
            "failures": "; ".join(f"{m['company_id']}: {m['error']}" for m in failures[:20]),
        },
    )
    return dg.MaterializeResult(metadata=metadata, check_results=[check])


def _crawl_asset(spec: ImagePipelineSpec, role: str) -> dg.AssetsDefinition:
    in_container = role == "docker"
    name = spec.name(role)
    where = (
        "in a container (PipesDockerClient)" if in_container else "as a local process (PipesSubprocessClient)"
    )

    @dg.asset(
        name=name,
        group_name=spec.group,
        description=f"Naver 통합검색 logo crawler {where}: every company without a "
        f"{spec.table.target_column} → element screenshot → clogo-<id>.png in the source bucket.",
        kinds={"docker", "python", "r2"} if in_container else {"python", "r2"},
        tags={"data_tier": "bronze", "domain": DOMAIN, "source": "docker" if in_container else "node_script"},
        required_resource_keys={spec.store_key, spec.crawler_key, spec.postgres_key},
        check_specs=[
            dg.AssetCheckSpec(
                f"{spec.prefix}_crawl_failures",
                asset=name,
                description="No company's search page failed (after retries).",
            )
        ],
    )
    def crawl(context) -> dg.MaterializeResult:
        return _crawl(spec, context, in_container)

    return crawl


def _download_asset(spec: ImagePipelineSpec) -> dg.AssetsDefinition:
    name = spec.name("download")

    @dg.asset(
        name=name,
        group_name=spec.group,
        deps=[spec.name("docker"), spec.name("node")],
        description="Every clogo-<id>.png of the source bucket (paginated listing) into the local work folder.",
        kinds={"r2", "python"},
        tags={"data_tier": "bronze", "domain": DOMAIN, "source": "cloudflare_r2"},
        required_resource_keys={spec.store_key},
        check_specs=[
            dg.AssetCheckSpec(
                f"{spec.prefix}_r2_unrecognised_objects",
                asset=name,
                description="Every PNG of the source bucket is a clogo-<id>.png logo.",
            )
        ],
    )
    def download(context) -> dg.MaterializeResult:
        from dag_shared.images.lib.download import download_logos

        store: LogoStoreResource = getattr(context.resources, spec.store_key)
        settings = store.settings()
        started = time.monotonic()
        result = download_logos(store.source(), work_dir(spec.prefix, settings.source_bucket))
        rows = [(p.name, p.stat().st_size) for p in result.files]
        metadata = _rows_metadata(
            ("file", "bytes"),
            ("text", "int"),
            rows,
            {"total_bytes": result.bytes, "download_seconds": round(time.monotonic() - started, 2)},
        )
        check = dg.AssetCheckResult(
            check_name=f"{spec.prefix}_r2_unrecognised_objects",
            passed=not result.ignored,
            severity=dg.AssetCheckSeverity.WARN,
            metadata={
                "ignored": len(result.ignored),
                "reasons": "; ".join(f"{k}: {v}" for k, v in result.ignored.items())[:2000],
            },
        )
        return dg.MaterializeResult(metadata=metadata, check_results=[check])

    return download


def _webp_asset(spec: ImagePipelineSpec) -> dg.AssetsDefinition:
    @dg.asset(
        name=spec.name("webp"),
        group_name=spec.group,
        deps=[spec.name("download")],
        description="PNG → WebP (quality 80, Pillow), one process per core; any failed file fails the step.",
        kinds={"python", "file"},
        tags={"data_tier": "silver", "domain": DOMAIN, "source": "computed"},
        required_resource_keys={spec.store_key},
    )
    def png2webp(context) -> dg.MaterializeResult:
        from dag_shared.images.lib.webp import convert_all, workers

        settings = getattr(context.resources, spec.store_key).settings()
        pngs = sorted(work_dir(spec.prefix, settings.source_bucket).glob("*.png"))
        started = time.monotonic()
        converted = convert_all(pngs, work_dir(spec.prefix, settings.target_bucket))
        rows = [(path.name, size) for path, size in converted]
        return dg.MaterializeResult(
            metadata=_rows_metadata(
                ("file", "bytes"),
                ("text", "int"),
                rows,
                {"processes": workers(), "convert_seconds": round(time.monotonic() - started, 2)},
            )
        )

    return png2webp


def _finalize_asset(spec: ImagePipelineSpec) -> dg.AssetsDefinition:
    from dag_shared.metadata import column_schema

    @dg.asset(
        name=spec.name("finalize"),
        group_name=spec.group,
        deps=[spec.name("webp")],
        description=f"Existing companies' PNG and WebP into the target bucket, then {spec.table.table}."
        f"{spec.table.target_column} = <public URL>/clogo-<id>.png in one transaction, recorded in "
        f"DuckDB {spec.prefix}_logo_updates. Idempotent: a re-run uploads and updates nothing.",
        kinds={"postgres", "r2", "duckdb"},
        tags={"data_tier": "silver", "domain": DOMAIN, "source": "computed"},
        metadata={"dagster/column_schema": column_schema(UPDATE_COLUMNS, ("text", "text", "text"))},
        required_resource_keys={spec.store_key, spec.postgres_key, spec.duckdb_key},
    )
    def finalize(context) -> dg.MaterializeResult:
        from dag_shared.images.lib import finalize as lib
        from dag_shared.images.lib import keys, logo_updates

        store: LogoStoreResource = getattr(context.resources, spec.store_key)
        settings = store.settings()
        duckdb = getattr(context.resources, spec.duckdb_key)

        def record(rows: list[tuple[str, str, str]]) -> None:
            ledger = [(cid, name, url, keys.png_key(cid), keys.webp_key(cid)) for cid, name, url in rows]
            with duckdb.get_connection() as conn:
                logo_updates.record(conn, spec.prefix, ledger, context.run.run_id)

        with getattr(context.resources, spec.postgres_key).connection() as conn:
            result = lib.finalize(
                conn,
                spec.table,
                store.target(),
                settings.public_url,
                work_dir(spec.prefix, settings.source_bucket),
                work_dir(spec.prefix, settings.target_bucket),
                record=record,
            )
        extra = {
            "uploaded_objects": len(result.uploaded),
            "unchanged_objects": result.unchanged_objects,
            "already_current": result.already_current,
            "unknown_companies": len(result.skipped),
            "skipped": "; ".join(f"{k}: {v}" for k, v in result.skipped.items())[:2000],
            "public_url": settings.public_url,
        }
        for name, reason in result.skipped.items():
            context.log.warning(f"{name} left out: {reason}")
        return dg.MaterializeResult(
            metadata=_rows_metadata(UPDATE_COLUMNS, ("text", "text", "text"), result.updated, extra)
        )

    return finalize


def _clear_asset(spec: ImagePipelineSpec, role: str) -> dg.AssetsDefinition:
    which = "source" if role == "clear_source" else "target"

    @dg.asset(
        name=spec.name(role),
        group_name=spec.group,
        description=f"Manual clean-up: deletes every .png and .webp object of the {which} bucket. In no job.",
        kinds={"r2"},
        tags={"data_tier": "bronze", "domain": DOMAIN, "source": "cloudflare_r2"},
        required_resource_keys={spec.store_key},
    )
    def clear(context) -> dg.MaterializeResult:
        store: LogoStoreResource = getattr(context.resources, spec.store_key)
        bucket = store.source() if which == "source" else store.target()
        deleted = [k for k in bucket.list_keys("") if k.lower().endswith((".png", ".webp"))]
        for key in deleted:
            bucket.delete(key)
        return dg.MaterializeResult(metadata={"dagster/row_count": len(deleted), "bucket": bucket.describe()})

    return clear


def build_image_pipeline(spec: ImagePipelineSpec) -> dg.Definitions:
    """The location's image assets, checks, jobs and its two pipeline resources."""
    assets = [
        _crawl_asset(spec, "docker"),
        _crawl_asset(spec, "node"),
        _download_asset(spec),
        _webp_asset(spec),
        _finalize_asset(spec),
        _clear_asset(spec, "clear_source"),
        _clear_asset(spec, "clear_target"),
    ]
    jobs = [
        dg.define_asset_job(
            spec.name(f"{runner}_job"),
            selection=dg.AssetSelection.assets(spec.name(runner)).downstream(),
            tags={"source": runner if runner == "docker" else "node", "type": "realtime"},
            description=f"{spec.group} logo pipeline, crawler "
            + ("in a container" if runner == "docker" else "as a local process")
            + ": crawl → download → WebP → finalize.",
        )
        for runner in ("docker", "node")
    ]
    return dg.Definitions(
        assets=assets,
        asset_checks=build_checks(spec),
        jobs=jobs,
        resources={
            spec.store_key: LogoStoreResource(location=spec.prefix),
            spec.crawler_key: LogoCrawlerResource(),
        },
    )
