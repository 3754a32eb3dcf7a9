"""The compose test's secret scan reads `docker save` archives: it must find a secret in any layer,
compressed or not, even across its read chunks, and name the file."""

from __future__ import annotations

import gzip
import io
import json
import tarfile

from dag_platform_testing import image_scan

SECRET = b"s3cr3t-Pa55word"


def _tar(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for name, content in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            archive.addfile(info, io.BytesIO(content))
    return buffer.getvalue()


def _saved_image(layers: dict[str, bytes], config: bytes = b"{}") -> io.BytesIO:
    files = {"blobs/sha256/config": config, "manifest.json": json.dumps([{"Layers": list(layers)}]).encode()}
    return io.BytesIO(_tar({**files, **layers}))


def test_a_secret_in_a_plain_layer_file_is_found_and_named():
    layer = _tar({"etc/hosts": b"127.0.0.1 localhost\n", "app/.env": b"POSTGRES_PASSWORD=" + SECRET})
    hits = image_scan.files_holding_in_archive(_saved_image({"blobs/sha256/aaa": layer}), SECRET)
    assert hits == ["blobs/sha256/aaa:app/.env"]


def test_a_secret_straddling_two_read_chunks_of_a_gzip_layer_is_found(monkeypatch):
    monkeypatch.setattr(image_scan, "CHUNK", 64)
    content = b"x" * (64 * 3 - 5) + SECRET + b"y" * 100
    layer = gzip.compress(_tar({"opt/big.bin": content}))
    hits = image_scan.files_holding_in_archive(_saved_image({"blobs/sha256/bbb": layer}), SECRET)
    assert hits == ["blobs/sha256/bbb:opt/big.bin"]


def test_a_secret_in_the_image_config_is_found_and_a_clean_image_reports_nothing():
    layer = _tar({"app/main.py": b"print('hello')\n"})
    config = json.dumps({"config": {"Env": [f"PASSWORD={SECRET.decode()}"]}}).encode()
    assert image_scan.files_holding_in_archive(_saved_image({"blobs/sha256/ccc": layer}, config), SECRET) == [
        "blobs/sha256/config"
    ]
    assert image_scan.files_holding_in_archive(_saved_image({"blobs/sha256/ccc": layer}), SECRET) == []
