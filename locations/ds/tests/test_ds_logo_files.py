"""Download and WebP steps on their own: what is not a logo is counted with its reason, a bad
PNG fails the conversion naming the file, and a listing of more than one page is read whole."""

from __future__ import annotations

import uuid

import pytest
from dag_shared.images.lib.download import download_logos
from dag_shared.images.lib.sample_logos import draw_logo
from dag_shared.images.lib.storage import LocalFolderBackend, S3Backend
from dag_shared.images.lib.webp import WebpError, convert_all


def test_the_download_takes_logo_pngs_and_counts_everything_else_with_a_reason(tmp_path):
    store = LocalFolderBackend(tmp_path / "bucket")
    store.put("clogo-1.png", draw_logo("one"), "image/png")
    store.put("clogo-2.png", draw_logo("two"), "image/png")
    store.put("clogo-3.png", b"<html>error page</html>", "image/png")
    store.put("notes/readme.png", draw_logo("x"), "image/png")
    store.put("clogo-4.webp", b"RIFF", "image/webp")
    (tmp_path / "work").mkdir()
    (tmp_path / "work" / "clogo-stale.png").write_bytes(b"old")

    result = download_logos(store, tmp_path / "work")
    assert [p.name for p in result.files] == ["clogo-1.png", "clogo-2.png"]
    assert sorted(p.name for p in (tmp_path / "work").iterdir()) == ["clogo-1.png", "clogo-2.png"]
    assert set(result.ignored) == {"clogo-3.png", "notes/readme.png"}
    assert "bad signature" in result.ignored["clogo-3.png"]


def test_a_png_that_cannot_be_read_fails_the_conversion_naming_it(tmp_path):
    good, bad = tmp_path / "clogo-1.png", tmp_path / "clogo-2.png"
    good.write_bytes(draw_logo("good"))
    bad.write_bytes(b"\x89PNG\r\n\x1a\n truncated")
    with pytest.raises(WebpError) as raised:
        convert_all([good, bad], tmp_path / "out", processes=2)
    assert list(raised.value.failures) == ["clogo-2.png"]


def test_webp_files_are_written_at_quality_80_for_every_png(tmp_path):
    from PIL import Image

    pngs = []
    for i in range(6):
        path = tmp_path / f"clogo-{i}.png"
        path.write_bytes(draw_logo(f"company {i}"))
        pngs.append(path)
    converted = convert_all(pngs, tmp_path / "out", processes=2)
    assert sorted(p.name for p, _ in converted) == [f"clogo-{i}.webp" for i in range(6)]
    with Image.open(tmp_path / "out" / "clogo-0.webp") as image:
        assert image.format == "WEBP" and image.size == (96, 96)


def test_the_s3_listing_reads_every_page(s3_client):
    bucket = f"ds-list-{uuid.uuid4().hex[:8]}"
    s3_client.create_bucket(Bucket=bucket)
    for i in range(23):
        s3_client.put_object(Bucket=bucket, Key=f"clogo-{i}.png", Body=b"x")
    calls = []
    s3_client.meta.events.register("after-call.s3.ListObjectsV2", lambda **kwargs: calls.append(1))
    listed = S3Backend(s3_client, bucket, page_size=10).list_keys("")
    assert len(listed) == 23 and len(calls) == 3


def test_buckets_on_s3_without_a_public_url_are_refused_with_the_variable_to_set(monkeypatch, data_dir):
    from dag_shared.images.resources import LogoStoreResource

    monkeypatch.setenv("DS_R2_ENDPOINT", "http://127.0.0.1:9")
    with pytest.raises(ValueError, match="DS_PUBLIC_URL must be set"):
        LogoStoreResource(location="ds").settings()
    monkeypatch.delenv("DS_R2_ENDPOINT")
    local = LogoStoreResource(location="ds").settings()
    assert local.public_url == (data_dir / "object_store" / "ds" / "ds-logos").resolve().as_uri()
    assert local.source_bucket == "ds-logos-source" and local.endpoint_url is None
