"""Asset checks of the image pipeline that can fail: both buckets reachable, and every company
URL under the public base resolving to an object in the target bucket."""

from __future__ import annotations

import dagster as dg

from dag_shared.images.spec import ImagePipelineSpec

SHOWN = 20


def _reachable(store, label: str) -> dg.AssetCheckResult:
    try:
        store.reachable()
    except Exception as error:  # noqa: BLE001 - the check reports any failure of the store
        return dg.AssetCheckResult(
            passed=False, metadata={"bucket": label, "error": f"{type(error).__name__}: {error}"}
        )
    return dg.AssetCheckResult(passed=True, metadata={"bucket": label})


def build_checks(spec: ImagePipelineSpec) -> list[dg.AssetChecksDefinition]:
    store_key, pg_key = spec.store_key, spec.postgres_key

    @dg.asset_check(
        asset=spec.name("download"),
        name=f"{spec.prefix}_r2_src_check",
        description="The source bucket (the crawler's screenshots) answers.",
        required_resource_keys={store_key},
    )
    def source_reachable(context) -> dg.AssetCheckResult:
        store = getattr(context.resources, store_key)
        return _reachable(store.source(), store.settings().source_bucket)

    @dg.asset_check(
        asset=spec.name("finalize"),
        name=f"{spec.prefix}_r2_tgt_check",
        description="The target bucket (published logos) answers.",
        required_resource_keys={store_key},
    )
    def target_reachable(context) -> dg.AssetCheckResult:
        store = getattr(context.resources, store_key)
        return _reachable(store.target(), store.settings().target_bucket)

    @dg.asset_check(
        asset=spec.name("finalize"),
        name=f"{spec.prefix}_logo_urls_resolve",
        description=f"Every {spec.table.table}.{spec.table.target_column} under the public URL names an "
        "object of the target bucket.",
        required_resource_keys={store_key, pg_key},
    )
    def urls_resolve(context) -> dg.AssetCheckResult:
        from dag_shared.images.lib.companies import urls_under
        from dag_shared.images.lib.keys import key_of_public_url

        store = getattr(context.resources, store_key)
        settings, target = store.settings(), store.target()
        with getattr(context.resources, pg_key).connection() as conn:
            rows = urls_under(conn, spec.table, settings.public_url)
        missing = [cid for cid, url in rows if not target.exists(key_of_public_url(settings.public_url, url))]
        return dg.AssetCheckResult(
            passed=not missing,
            metadata={
                "urls_checked": len(rows),
                "missing_objects": len(missing),
                "missing_companies": ", ".join(missing[:SHOWN]) + (" …" if len(missing) > SHOWN else ""),
            },
        )

    return [source_reachable, target_reachable, urls_resolve]
