"""NPS settings are read when a run starts: a changed variable takes effect without reloading the definitions."""

import dagster as dg
import pytest
from dag_nps.definitions import defs
from dag_nps.lib.sample import write_month

DOWNLOAD = dg.AssetKey("nps_his_download")


def download(month: str) -> dg.ExecuteInProcessResult:
    """`nps_his_download` of one month from the loaded `defs`, with the location's own resources."""
    job = defs.resolve_implicit_global_asset_job_def()
    return job.execute_in_process(partition_key=month, asset_selection=[DOWNLOAD], raise_on_error=False)


def landed_release(result: dg.ExecuteInProcessResult) -> str:
    return result.asset_materializations_for_node("nps_his_download")[0].metadata["release"].value


@pytest.fixture
def two_sources(data_dir, tmp_path, monkeypatch):
    """Two source folders, each with one month of its own; NPS_SOURCE_DIR points at the first."""
    first, second = tmp_path / "first", tmp_path / "second"
    write_month(first, "2022-04", 40, release_date="20220516")
    write_month(second, "2022-05", 40, release_date="20220617")
    monkeypatch.setenv("NPS_SOURCE_DIR", str(first))
    monkeypatch.setenv("NPS_MIN_FILE_BYTES", "1000")
    monkeypatch.delenv("NPS_PORTAL_BASE_URL", raising=False)
    return first, second


def test_changing_nps_source_dir_between_two_runs_takes_effect_without_reloading(two_sources, monkeypatch):
    _, second = two_sources
    assert download("2022-04").success
    assert not download("2022-05").success  # the first folder has no 2022-05 file

    monkeypatch.setenv("NPS_SOURCE_DIR", str(second))
    result = download("2022-05")
    assert result.success
    assert landed_release(result) == next(second.glob("*.csv")).name


def test_changing_nps_min_file_bytes_between_two_runs_takes_effect_without_reloading(
    two_sources, monkeypatch
):
    first, _ = two_sources
    monkeypatch.setenv("NPS_MIN_FILE_BYTES", str(10**9))
    refused = download("2022-04")
    assert not refused.success
    assert "file too small" in str(refused.all_events)

    monkeypatch.setenv("NPS_MIN_FILE_BYTES", "1000")
    write_month(first, "2022-04", 41, release_date="20220516")  # new content: landed again, not skipped
    assert download("2022-04").success


def test_loading_the_definitions_resolves_no_source_setting():
    source = defs.resources["nps_source"]
    assert source.source_dir is None and source.min_file_bytes is None and source.portal_base_url is None


def test_a_malformed_setting_fails_the_run_naming_the_variable(two_sources, monkeypatch):
    monkeypatch.setenv("NPS_MIN_FILE_BYTES", "lots")
    result = download("2022-04")
    assert not result.success
    assert "NPS_MIN_FILE_BYTES='lots' is not a int" in str(result.all_events)
