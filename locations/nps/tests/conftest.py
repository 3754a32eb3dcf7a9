"""Fixtures of the `nps` suite: an isolated data directory, a warehouse database, sample months."""

import pytest

pytest_plugins = ["dag_shared.testing"]


@pytest.fixture
def nps_env(data_dir, postgres_url, tmp_path, monkeypatch):
    """Environment of one pipeline run: DAG_DATA_DIR, NPS_POSTGRES_URL and an empty source folder."""
    source = tmp_path / "source"
    source.mkdir()
    monkeypatch.setenv("NPS_POSTGRES_URL", postgres_url)
    monkeypatch.setenv("NPS_SOURCE_DIR", str(source))
    monkeypatch.delenv("NPS_PORTAL_BASE_URL", raising=False)
    return {"data_dir": data_dir, "postgres_url": postgres_url, "source": source}


def nps_resources_for(
    source_dir, min_file_bytes: int = 100_000, portal_base_url: str = "", quarantine_max_ratio: float = 0.001
):
    """The location's resources with a given source (the URL and data dir come from the env)."""
    from dag_nps.defs.resources import NpsSourceResource, nps_resources

    resources = nps_resources()
    resources["nps_source"] = NpsSourceResource(
        source_dir=str(source_dir),
        portal_base_url=portal_base_url,
        min_file_bytes=min_file_bytes,
        download_concurrency=2,
        quarantine_max_ratio=quarantine_max_ratio,
    )
    return resources
