"""`ds_docker_job`: the same crawler in its container (Dockerfile.logo_crawler) through
PipesDockerClient. Needs a Docker engine; where none answers, the test says so and skips (the
rest of the chain is the one `ds_node_job` runs, tested without Docker). `make test-compose`, which
has an engine, runs it with DAG_TEST_REQUIRE_DOCKER=1, so there a missing engine fails instead."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from dag_ds.lib.schema import sample_rows, search_card_names
from ds_support import companies, run_job

ROOT = Path(__file__).resolve().parents[3]
IMAGE = "dag-logo-crawler:test"


def _engine_answers() -> bool:
    try:
        return (
            subprocess.run(["docker", "info"], capture_output=True, timeout=20, check=False).returncode == 0
        )
    except (OSError, subprocess.TimeoutExpired):
        return False


@pytest.fixture(scope="module")
def crawler_image():
    if not _engine_answers():
        reason = (
            "no Docker engine answers (`docker info` failed): the container path of ds_docker_job is not run"
        )
        if os.environ.get("DAG_TEST_REQUIRE_DOCKER") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    command = ["docker", "build", "--network", "host", "-f", "Dockerfile.logo_crawler", "-t", IMAGE]
    if os.environ.get("PYTHON_RUNTIME_IMAGE"):  # a private mirror's base image, as for the stack
        command += ["--build-arg", f"PYTHON_RUNTIME_IMAGE={os.environ['PYTHON_RUNTIME_IMAGE']}"]
    subprocess.run([*command, "."], cwd=ROOT, check=True, timeout=1800)
    return IMAGE


def test_ds_docker_job_crawls_in_the_container_and_fills_the_thumbnails(
    crawler_image, postgres_url, data_dir, monkeypatch
):
    monkeypatch.setenv("DS_POSTGRES_URL", postgres_url)
    monkeypatch.setenv("LOGO_CRAWLER_IMAGE", crawler_image)
    result = run_job("ds_docker_job")
    assert result.success
    filled = {name for name, url, deleted in companies(postgres_url).values() if url}
    deleted = {row["name"] for row in sample_rows() if row["is_deleted"] == "true"}
    assert filled == set(search_card_names()) - deleted  # a deleted company is never crawled
    crawl = result.asset_materializations_for_node("ds_img_r2_docker")[0].metadata
    assert crawl["uploaded"].value == len(filled)
