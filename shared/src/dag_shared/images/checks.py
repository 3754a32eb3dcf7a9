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

    def reachability(bucket: str, asset_role: str, short: str, what: str) -> dg.AssetChecksDefinition:
        @dg.asset_check(
            asset=spec.name(asset_role),
            name=f"{spec.prefix}_r2_{short}_check",
            description=f"The {bucket} bucket ({what}) answers.",
            required_resource_keys={store_key},
        )
        def reachable(context) -> dg.AssetCheckResult:
            store = getattr(context.resources, store_key)
            backend = store.source() if bucket == "source" else store.target()
            settings = store.settings()
            return _reachable(
                backend, settings.source_bucket if bucket == "source" else settings.target_bucket
            )

        return reachable

    source_reachable = reachability("source", "download", "src", "the crawler's screenshots")
    target_reachable = reachability("target", "finalize", "tgt", "published logos")

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
