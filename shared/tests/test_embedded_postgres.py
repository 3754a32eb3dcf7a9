"""The embedded PostgreSQL keeps its data across restarts and refuses a port already in use."""

from __future__ import annotations

import socket

import psycopg
import pytest
from dag_shared.embedded_postgres import EmbeddedPostgres, ensure_database, free_port


def test_data_survives_a_stop_and_start(tmp_path):
    server = EmbeddedPostgres(tmp_path / "pg", free_port())
    try:
        url = ensure_database(server.start(), "nps")
        with psycopg.connect(url) as conn:
            conn.execute("CREATE TABLE pension (id int)")
            conn.execute("INSERT INTO pension VALUES (1)")
        server.stop()
        assert not server.is_running()
        server.start()
        with psycopg.connect(url) as conn:
            assert conn.execute("SELECT id FROM pension").fetchall() == [(1,)]
        assert ensure_database(server.url(), "nps") == url  # idempotent
    finally:
        server.stop()


def test_a_taken_port_is_reported_with_the_setting_to_change(tmp_path):
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        with pytest.raises(RuntimeError, match="DAG_EMBEDDED_POSTGRES_PORT"):
            EmbeddedPostgres(tmp_path / "pg", port).start()
