"""Fixtures of the `ss` suite: an isolated data directory, an SS warehouse and a crawl folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

pytest_plugins = ["dag_shared.testing"]

SAMPLE_DIR = Path(__file__).resolve().parents[1] / "src" / "dag_ss" / "sample_data"
SAMPLE_FILE = SAMPLE_DIR / "ppomppu_phone_2025-11-20_14-30-00.json"
SAMPLE_KEY = SAMPLE_FILE.stem


@pytest.fixture
def ss_env(data_dir, postgres_url, tmp_path, monkeypatch):
    """SS_POSTGRES_URL on a fresh database, an empty crawl folder, no LLM endpoint, flush disabled."""
    crawl = tmp_path / "crawl"
    crawl.mkdir()
    monkeypatch.setenv("SS_POSTGRES_URL", postgres_url)
    monkeypatch.setenv("SS_CRAWL_DIR", str(crawl))
    for name in ("LLM_BASE_URL", "LLM_API_KEY", "LLM_MODEL", "SS_DANGEROUS_FLUSH", "SS_LLM_LOG_FULL"):
        monkeypatch.delenv(name, raising=False)
    return {"data_dir": data_dir, "postgres_url": postgres_url, "crawl": crawl}


def copy_sample(crawl: Path, name: str | None = None) -> Path:
    target = crawl / (name or SAMPLE_FILE.name)
    shutil.copy(SAMPLE_FILE, target)
    return target


def query(url: str, statement: str, params=None) -> list[tuple]:
    import psycopg

    with psycopg.connect(url) as conn:
        return conn.execute(statement, params).fetchall()
