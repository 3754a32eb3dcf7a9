"""The bronze download: live path against a local portal stand-in, and the local folder source."""

import dagster as dg
import pytest
from dag_nps.defs.nps_his_download import nps_his_download
from dag_nps.lib.columns import ORIGINAL_HEADER
from dag_nps.lib.sample import encode_rows, month_rows, release_title, write_month
from nps_portal_server import FakePortal, PortalRelease, start

from conftest import nps_resources_for

MIN_BYTES = 2_000


def month_file(month: str, count: int = 40, header: str = ORIGINAL_HEADER) -> bytes:
    return encode_rows([list(r) for r in month_rows(month, count)], header=header)


@pytest.fixture
def source_dir(tmp_path):
    folder = tmp_path / "source"
    folder.mkdir()
    return folder


@pytest.fixture
def portal():
    fake = FakePortal()
    base_url, stop = start(fake)
    yield fake, base_url
    stop()


def ledger(data_dir):
    from dag_shared.resources.duckdb import duckdb_resource

    with duckdb_resource("nps").get_connection() as conn:
        return conn.execute(
            "SELECT release_key, data_month, status, reason, size_bytes, sha256, source_encoding FROM nps_download_ledger ORDER BY release_key"
        ).fetchall()


def download(month, resources):
    needed = {key: resources[key] for key in ("nps_duckdb", "nps_source")}
    return dg.materialize([nps_his_download], partition_key=month, resources=needed, raise_on_error=False)


def test_the_live_downloader_lands_the_month_and_a_rerun_downloads_nothing(data_dir, source_dir, portal):
    fake, base_url = portal
    fake.releases = [
        PortalRelease("1", release_title("20220516"), month_file("2022-04")),
        PortalRelease("2", release_title("20220617"), month_file("2022-05")),
        PortalRelease("3", "국민연금공단_국민연금 가입 사업장 내역_컬럼정보", b"doc"),
    ]
    resources = nps_resources_for(source_dir, MIN_BYTES, portal_base_url=base_url)
    result = download("2022-04", resources)
    assert result.success
    rows = ledger(data_dir)
    assert [(r[0], r[1], r[2], r[6]) for r in rows] == [
        (f"{release_title('20220516')}.csv", "2022-04", "valid", "cp949"),
        (f"{release_title('20220617')}.csv", "2022-05", "valid", "cp949"),
    ]
    landed = data_dir / "nps" / "bronze" / "releases" / f"{release_title('20220516')}.csv"
    assert landed.read_bytes() == fake.releases[0].body
    downloads_before = fake.requests.count("/cmm/cmm/fileDownload.do")
    assert downloads_before == 2
    assert download("2022-04", resources).success
    assert download("2022-05", resources).success
    assert fake.requests.count("/cmm/cmm/fileDownload.do") == downloads_before


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (
            "<!DOCTYPE html><html><body>" + "서비스 점검 중입니다. " * 400 + "</body></html>",
            "an HTML page, not a CSV file",
        ),
        ("truncated", "truncated: the file does not end with a line break"),
        ("changed header", "line 1: column 5 '우편코드' is not one of the 22 expected columns"),
    ],
)
def test_a_bad_file_is_quarantined_with_its_reason_and_the_month_fails(
    data_dir, source_dir, portal, body, reason
):
    fake, base_url = portal
    if body == "truncated":
        content = month_file("2022-04")[:-25]
    elif body == "changed header":
        content = month_file("2022-04", header=ORIGINAL_HEADER.replace("우편번호", "우편코드"))
    else:
        content = body.encode("cp949")
    fake.releases = [PortalRelease("1", release_title("20220516"), content)]
    result = download("2022-04", nps_resources_for(source_dir, MIN_BYTES, portal_base_url=base_url))
    assert not result.success
    failure = result.get_step_failure_events()[0].event_specific_data.error.message
    assert "no valid file for data month 2022-04" in failure and reason in failure
    (row,) = ledger(data_dir)
    assert row[2] == "quarantined" and reason in row[3]
    quarantine = data_dir / "nps" / "bronze" / "quarantine"
    kept = list(quarantine.glob("*.csv"))
    assert len(kept) == 1 and kept[0].read_bytes() == content
    assert reason in kept[0].with_suffix(".reason").read_text(encoding="utf-8")


def test_the_june_2020_double_upload_is_saved_as_its_two_versions(data_dir, source_dir, portal):
    fake, base_url = portal
    title = "국민연금공단_국민연금 가입 사업장 내역_20200624"
    fake.releases = [
        PortalRelease("7", title, month_file("2020-06"), parent_text="수정 등록 2020-07-17"),
        PortalRelease("6", title, month_file("2020-05"), parent_text="최초 등록 2020-06-19"),
    ]
    resources = nps_resources_for(source_dir, MIN_BYTES, portal_base_url=base_url)
    assert download("2020-06", resources).success
    keys = {row[0]: row[1] for row in ledger(data_dir)}
    assert keys == {f"{title[:-8]}20200717.csv": "2020-06", f"{title[:-8]}20200619.csv": "2020-05"}


def test_an_unparseable_dataset_page_fails_naming_the_url(data_dir, source_dir, portal):
    fake, base_url = portal
    fake.dataset_page_ok = False
    result = download("2022-04", nps_resources_for(source_dir, MIN_BYTES, portal_base_url=base_url))
    assert not result.success
    message = result.get_step_failure_events()[0].event_specific_data.error.message
    assert f"{base_url}/data/15083277/fileData.do" in message and "publicDataPk" in message


def test_the_local_source_takes_the_month_from_the_data_not_the_file_name(data_dir, source_dir):
    source = source_dir
    write_month(source, "2022-04", 40, release_date="20220601")
    write_month(source, "2022-05", 40, release_date="20220702")
    result = download("2022-04", nps_resources_for(source, MIN_BYTES))
    assert result.success
    (materialization,) = result.asset_materializations_for_node("nps_his_download")
    assert materialization.metadata["release"].value == f"{release_title('20220601')}.csv"
    assert materialization.metadata["dagster/row_count"].value == 1
    assert not download("2021-01", nps_resources_for(source, MIN_BYTES)).success


def test_the_integrity_check_runs_after_the_download_and_catches_a_file_changed_on_disk(data_dir, source_dir):
    from dag_nps.defs.nps_file_integrity_check import nps_file_integrity_check, nps_files_intact

    write_month(source_dir, "2022-04", 40, release_date="20220516")
    resources = {
        k: v for k, v in nps_resources_for(source_dir, MIN_BYTES).items() if k in ("nps_duckdb", "nps_source")
    }
    result = dg.materialize(
        [nps_his_download, nps_file_integrity_check, nps_files_intact],
        partition_key="2022-04",
        resources=resources,
    )
    assert [e.passed for e in result.get_asset_check_evaluations()] == [True]
    landed = next((data_dir / "nps" / "bronze" / "releases").glob("*.csv"))
    landed.write_bytes(landed.read_bytes().replace(b"2022-04,", b"2022-03,", 1))
    result = dg.materialize(
        [nps_file_integrity_check, nps_files_intact], partition_key="2022-04", resources=resources
    )
    (evaluation,) = result.get_asset_check_evaluations()
    assert not evaluation.passed
    assert "sha256 changed since download" in str(evaluation.metadata["bad"].value)
