"""The DS logo pipeline against a real S3 API server (moto in server mode): objects with content
types, URLs under the public base, the Pipes report matching the bucket, checks that fail, and a
failed upload that leaves the database unchanged until a re-run converges."""

from __future__ import annotations

import uuid

import dagster as dg
import pytest
from ds_support import companies, run_job

PUBLIC = "https://logos.example.test/ds"


@pytest.fixture
def buckets(s3_endpoint, s3_client, postgres_url, data_dir, monkeypatch):
    suffix = uuid.uuid4().hex[:8]
    source, target = f"ds-src-{suffix}", f"ds-tgt-{suffix}"
    s3_client.create_bucket(Bucket=source)
    monkeypatch.setenv("DS_POSTGRES_URL", postgres_url)
    monkeypatch.setenv("DS_R2_ENDPOINT", s3_endpoint)
    monkeypatch.setenv("DS_R2_ACCESS_KEY_ID", "test-key-id")
    monkeypatch.setenv("DS_R2_SECRET_ACCESS_KEY", "test-secret")
    monkeypatch.setenv("DS_R2_SOURCE_BUCKET", source)
    monkeypatch.setenv("DS_R2_TARGET_BUCKET", target)
    monkeypatch.setenv("DS_PUBLIC_URL", PUBLIC + "/")
    return source, target


def _objects(client, bucket: str) -> dict[str, str]:
    keys = [o["Key"] for o in client.list_objects_v2(Bucket=bucket).get("Contents", [])]
    return {key: client.head_object(Bucket=bucket, Key=key)["ContentType"] for key in keys}


def test_a_failed_upload_leaves_the_database_unchanged_and_a_rerun_converges(
    buckets, s3_client, postgres_url
):
    source, target = buckets  # the target bucket does not exist yet: every upload fails
    failed = run_job("ds_node_job", raise_on_error=False)
    assert not failed.success
    assert [e.step_key for e in failed.get_step_failure_events()] == ["ds_img_finalize"]
    assert all(thumbnail is None for _, thumbnail, _ in companies(postgres_url).values())

    s3_client.create_bucket(Bucket=target)
    done = run_job("ds_node_job", only=["ds_img_finalize"])  # finalize again, on the failed run's files
    assert done.success
    rows = companies(postgres_url)
    filled = {cid: url for cid, (_, url, _) in rows.items() if url}
    assert filled and all(url == f"{PUBLIC}/clogo-{cid}.png" for cid, url in filled.items())
    assert _objects(s3_client, target) == {
        **{f"clogo-{cid}.png": "image/png" for cid in filled},
        **{f"clogo-{cid}.webp": "image/webp" for cid in filled},
    }
    # The crawler's Pipes report is what the asset showed, and it matches the source bucket.
    crawl = failed.asset_materializations_for_node("ds_img_r2_node")[0].metadata
    assert crawl["uploaded"].value == crawl["dagster/row_count"].value == len(_objects(s3_client, source))
    assert crawl["found"].value == len(filled) and crawl["failed"].value == 0
    assert all(e.passed for e in done.get_asset_check_evaluations())


def test_the_bucket_and_url_checks_fail_when_the_target_is_missing_or_incomplete(
    buckets, s3_client, postgres_url
):
    from dag_ds.defs.ds_logos import SPEC
    from dag_shared.images.checks import build_checks
    from dag_shared.images.resources import LogoStoreResource
    from dag_shared.resources.postgres import PostgresResource

    _, target = buckets
    s3_client.create_bucket(Bucket=target)
    assert run_job("ds_node_job").success
    victim = min(_objects(s3_client, target))
    s3_client.delete_object(Bucket=target, Key=victim)

    resources = {
        "ds_logo_store": LogoStoreResource(location="ds"),
        "ds_postgres": PostgresResource(url=postgres_url),
    }
    specs = [dg.AssetSpec(SPEC.name("download")), dg.AssetSpec(SPEC.name("finalize"))]

    def check_outcomes() -> dict[str, bool]:
        result = dg.materialize(
            [*specs, *build_checks(SPEC)], resources=resources, selection=dg.AssetSelection.all_asset_checks()
        )
        return {e.check_name: e.passed for e in result.get_asset_check_evaluations()}

    assert check_outcomes() == {
        "ds_r2_src_check": True,
        "ds_r2_tgt_check": True,
        "ds_logo_urls_resolve": False,
    }

    for key in _objects(s3_client, target):
        s3_client.delete_object(Bucket=target, Key=key)
    s3_client.delete_bucket(Bucket=target)
    outcome = check_outcomes()
    assert outcome == {"ds_r2_src_check": True, "ds_r2_tgt_check": False, "ds_logo_urls_resolve": False}
