"""The Turso resource on its local default: a libsql file, committed or rolled back as a unit."""

from __future__ import annotations

import pytest
from dag_shared.resources.turso import TursoResource


def test_writes_are_committed_and_a_failure_rolls_back(tmp_path):
    turso = TursoResource(local_path=str(tmp_path / "cd.db"))
    with turso.connection() as conn:
        conn.execute("CREATE TABLE security (ticker TEXT PRIMARY KEY, name TEXT)")
        conn.execute("INSERT INTO security VALUES ('005930', '삼성전자')")
    with pytest.raises(RuntimeError), turso.connection() as conn:
        conn.execute("INSERT INTO security VALUES ('000660', 'SK하이닉스')")
        raise RuntimeError("failed mid-way")
    with turso.connection() as conn:
        assert conn.execute("SELECT ticker, name FROM security").fetchall() == [("005930", "삼성전자")]
    assert turso.sync() is False  # local only: nothing leaves the machine


def test_sync_without_a_token_fails_clearly(tmp_path):
    turso = TursoResource(local_path=str(tmp_path / "cd.db"), sync_url="libsql://example.turso.io")
    with pytest.raises(ValueError, match="TURSO_AUTH_TOKEN"), turso.connection():
        pass
