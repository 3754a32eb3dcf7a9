"""The object store behaves the same on a local folder and on a real S3 server (moto's)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import pytest
from dag_shared.resources.object_store import ObjectStoreResource


@pytest.fixture(scope="module")
def s3_endpoint():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.1)
    yield f"http://127.0.0.1:{port}"
    server.terminate()
    server.wait(10)


@pytest.fixture(params=["local", "s3"])
def store(request, tmp_path):
    if request.param == "local":
        return ObjectStoreResource(bucket="logos", local_root=str(tmp_path))
    endpoint = request.getfixturevalue("s3_endpoint")
    resource = ObjectStoreResource(
        bucket="logos",
        endpoint_url=endpoint,
        access_key_id="test",
        secret_access_key="test",
        region="us-east-1",
    )
    resource.backend.client.create_bucket(Bucket="logos")
    return resource


def test_objects_round_trip_and_list_by_prefix(store):
    store.put("raw/005930.png", b"\x89PNG", "image/png")
    store.put("raw/000660.png", b"png2", "image/png")
    store.put("webp/005930.webp", b"webp", "image/webp")
    assert store.get("raw/005930.png") == b"\x89PNG"
    assert store.list_keys("raw/") == ["raw/000660.png", "raw/005930.png"]
    assert store.exists("webp/005930.webp") and not store.exists("webp/000660.webp")
    store.delete("raw/000660.png")
    assert store.list_keys("raw/") == ["raw/005930.png"]


def test_a_missing_object_is_a_key_error(store):
    with pytest.raises(KeyError, match="nothing.png"):
        store.get("nothing.png")


def test_the_local_store_refuses_keys_outside_its_folder(tmp_path):
    with pytest.raises(ValueError, match="escapes"):
        ObjectStoreResource(local_root=str(tmp_path)).put("../../etc/passwd", b"x")


def test_an_object_is_held_only_with_the_same_bytes(store):
    store.put("clogo-1.png", b"\x89PNG one", "image/png")
    assert store.holds("clogo-1.png", b"\x89PNG one", "image/png")
    assert not store.holds("clogo-1.png", b"\x89PNG two", "image/png")
    assert not store.holds("clogo-2.png", b"\x89PNG one", "image/png")


def test_a_reachable_store_answers_and_a_missing_bucket_raises(store, tmp_path):
    store.reachable()
    if store.endpoint_url:
        missing = ObjectStoreResource(
            bucket="no-such-bucket",
            endpoint_url=store.endpoint_url,
            access_key_id="test",
            secret_access_key="test",
            region="us-east-1",
        )
    else:
        (tmp_path / "occupied").write_text("a file where the bucket folder should be")
        missing = ObjectStoreResource(bucket="occupied", local_root=str(tmp_path))
    with pytest.raises(Exception):  # noqa: B017 - S3 ClientError or OSError, whichever backend
        missing.reachable()
