"""Shared fixtures (dag_shared.testing) and a local S3 server (moto in server mode) on a free port."""

from __future__ import annotations

import socket

import pytest

pytest_plugins = ["dag_shared.testing"]


@pytest.fixture(scope="session")
def s3_endpoint():
    from moto.server import ThreadedMotoServer

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture
def s3_client(s3_endpoint):
    from dag_shared.images.lib.storage import s3_client as make_client

    return make_client(s3_endpoint, "test-key-id", "test-secret", "us-east-1")


@pytest.fixture(autouse=True)
def crawl_four_pages_at_a_time(monkeypatch):
    """The stand-in answers at once; four pages at a time keep the suite short on two cores."""
    monkeypatch.setenv("LOGO_CRAWL_CONCURRENCY", "4")
