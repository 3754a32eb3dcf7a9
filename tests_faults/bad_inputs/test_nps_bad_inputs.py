"""The NPS part of the bad-input corpus (tests_faults/bad_inputs/nps/), in the nps environment.

Each file is read as the pipeline reads it: the landing validation (`check_file`) and the digest
(`digest_file`) give a clear error naming the file, line and column, or quarantine the record with
its line and column counted. Then each file is published as the 2022-04 release over loaded months
and the month is run as the operators run it: silver and `pension` keep what they held.

Run: cd locations/nps && ../../scripts/uv.sh run --frozen pytest ../../tests_faults/bad_inputs/test_nps_bad_inputs.py
"""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg
import psycopg
import pytest
from dag_nps.lib.digest import digest_file
from dag_nps.lib.sample import SAMPLE_DIR
from dag_nps.lib.validate import check_file
from dag_shared.embedded_postgres import drop_database, ensure_database

CORPUS = Path(__file__).parent / "nps"
QUIET = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}
APRIL = "국민연금공단_국민연금 가입 사업장 내역_20220516.csv"

# file → (landing outcome, digest outcome): fragments each message must hold; "quarantine" entries
# are (line, column header) pairs the digest must quarantine, every other record kept.
REFUSED = {
    "utf8_instead_of_cp949.csv": ("line 1, column 1: not CP949", "line 1: column 1"),
    "changed_header.csv": ("line 1: column 19 '가입인원'", "line 1: column 19 '가입인원'"),
    "truncated_mid_record.csv": ("line 41: byte offset", "line 41: byte offset"),
    "html_error_page.csv": ("an HTML page", "line 1: the header has 1 fields"),
    "empty.csv": ("file too small: 0 bytes", "line 1: the file is empty"),
}
QUARANTINED = {
    "wrong_field_count.csv": [(6, "expected 22 fields, found 23"), (7, "expected 22 fields, found 20")],
    "non_numeric_count.csv": [(4, "column 가입자수 (subscriber_count): not an integer: 열두명")],
    "impossible_date.csv": [(7, "column 적용일자 (applied_at): not a YYYY-MM-DD date: 2021-02-30")],
    "wrong_month_in_record.csv": [
        (10, "column 자료생성년월 (data_created_ym): 2021-13 is not the file's month")
    ],
}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_a_refused_file_is_named_with_its_line_and_column(name):
    path = CORPUS / name
    landing, digest = REFUSED[name]
    check = check_file(path, min_bytes=1)
    assert not check.ok and landing in check.reason, check.reason
    with pytest.raises(ValueError) as error:
        digest_file(path, "2022-04")
    assert str(path) in str(error.value) and digest in str(error.value)
    print(f"\n{name}: landing quarantines it ({check.reason[:90]}); digest: {str(error.value)[-90:]}")


@pytest.mark.parametrize("name", sorted(QUARANTINED))
def test_a_bad_record_is_quarantined_with_its_line_and_column(name):
    digest = digest_file(CORPUS / name, "2022-04")
    found = [(line, reason) for _, _, line, reason, _ in digest.quarantine]
    expected = QUARANTINED[name]
    assert [line for line, _ in found] == [line for line, _ in expected]
    assert all(fragment in reason for (_, reason), (_, fragment) in zip(found, expected)), found
    assert digest.frame.height == digest.rows_read - len(expected)
    print(f"\n{name}: {len(found)} quarantined of {digest.rows_read}: {found}")


def test_exact_duplicate_records_are_counted_and_dropped():
    digest = digest_file(CORPUS / "duplicate_records.csv", "2022-04")
    assert (digest.rows_read, digest.duplicates_removed, digest.frame.height) == (42, 2, 40)


def test_a_header_without_records_is_quarantined_at_landing():
    check = check_file(CORPUS / "header_only.csv", min_bytes=1)
    assert not check.ok and check.reason == "no data row after the header"


# -- nothing already loaded is lost ------------------------------------------------------------


@pytest.fixture(scope="module")
def loaded(tmp_path_factory, postgres_server_url):
    """2022-03 and 2022-04 of the sample in silver and pension (one database for the module)."""
    from dag_nps.defs.resources import NpsSourceResource, nps_resources

    folder = tmp_path_factory.mktemp("nps-faults")
    source = folder / "source"
    source.mkdir()
    for path in SAMPLE_DIR.glob("*.csv"):
        shutil.copy(path, source / path.name)
    database = f"dag_faults_nps_{folder.name[-6:].replace('-', '_')}"
    url = ensure_database(postgres_server_url, database)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DAG_DATA_DIR", str(folder / "data"))
        patch.setenv("NPS_POSTGRES_URL", url)
        patch.setenv("NPS_SOURCE_DIR", str(source))
        patch.delenv("NPS_PORTAL_BASE_URL", raising=False)
        resources = nps_resources()
        resources["nps_source"] = NpsSourceResource(source_dir=str(source), min_file_bytes=1)
        for month in ("2022-03", "2022-04"):
            assert _run_month(month, resources).success
        yield {"url": url, "source": source, "resources": resources}
    drop_database(postgres_server_url, database)


def _run_month(month: str, resources: dict) -> dg.ExecuteInProcessResult:
    from dag_nps.defs.nps_his_digest import nps_his_digest
    from dag_nps.defs.nps_his_download import nps_his_download
    from dag_nps.defs.nps_his_postgres_append import nps_his_postgres_append

    return dg.materialize(
        [nps_his_download, nps_his_digest, nps_his_postgres_append],
        partition_key=month,
        resources=resources,
        run_config=QUIET,
        raise_on_error=False,
    )


def _state(url: str) -> tuple[list, list]:
    from dag_shared.resources.duckdb import duckdb_resource

    with psycopg.connect(url) as conn:
        pension = conn.execute(
            "SELECT data_created_ym, count(*), sum(subscriber_count) FROM public.pension GROUP BY 1 ORDER BY 1"
        ).fetchall()
    with duckdb_resource("nps").get_connection() as duck:
        silver = duck.execute(
            "SELECT data_created_ym, count(*), sum(subscriber_count) FROM nps_pension_silver GROUP BY 1 ORDER BY 1"
        ).fetchall()
    return pension, silver


def _outcome(result: dg.ExecuteInProcessResult) -> str:
    failures = result.get_step_failure_events()
    if failures:
        first = failures[0].event_specific_data.error.message.strip().splitlines()[0]
        return f"{failures[0].step_key} failed: {first.split('Failure: ', 1)[-1]}"
    return "run succeeded"


@pytest.mark.parametrize("name", sorted([*REFUSED, *QUARANTINED, "duplicate_records.csv", "header_only.csv"]))
def test_publishing_a_bad_april_over_loaded_months_loses_nothing(loaded, name):
    before = _state(loaded["url"])
    shutil.copy(CORPUS / name, loaded["source"] / APRIL)
    result = _run_month("2022-04", loaded["resources"])
    after = _state(loaded["url"])
    print(
        f"\n{name} published as 2022-04: {_outcome(result)}; pension and silver unchanged: {after == before}"
    )
    assert after == before
    assert before[0] and len(before[0]) == 2
