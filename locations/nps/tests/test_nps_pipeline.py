"""A month end to end: local files → bronze → silver DuckDB → Postgres `pension`, idempotent."""

import shutil

import dagster as dg
import psycopg
import pytest
from dag_nps.defs.nps_his_digest import nps_his_digest, nps_quarantine_below_threshold
from dag_nps.defs.nps_his_download import nps_his_download
from dag_nps.defs.nps_his_postgres_append import (
    nps_his_postgres_append,
    nps_pension_no_duplicate_natural_keys,
    simple_postgres_check,
)
from dag_nps.lib.sample import SAMPLE_DIR
from dag_shared.conventions import check_materialization_metadata

from conftest import nps_resources_for

MONTH_ASSETS = [nps_his_download, nps_his_digest, nps_his_postgres_append]
CHECKS = [simple_postgres_check, nps_pension_no_duplicate_natural_keys, nps_quarantine_below_threshold]
CONTENT = "SELECT {} FROM public.pension ORDER BY id"


@pytest.fixture
def sample_env(nps_env):
    for path in SAMPLE_DIR.glob("*.csv"):
        shutil.copy(path, nps_env["source"] / path.name)
    return nps_env


def pension(
    url, columns="data_created_ym, company_name, business_reg_num, zip_code, applied_at, subscriber_count"
):
    with psycopg.connect(url) as conn:
        return conn.execute(CONTENT.format(columns)).fetchall()


def run_month(month, resources, assets=MONTH_ASSETS, checks=()):
    return dg.materialize([*assets, *checks], partition_key=month, resources=resources, raise_on_error=False)


def test_a_month_loads_end_to_end_with_counts_previews_and_schemas(sample_env):
    result = run_month("2022-04", nps_resources_for(sample_env["source"]), checks=CHECKS)
    assert result.success
    rows = pension(sample_env["postgres_url"])
    assert len(rows) == 2533
    assert {r[0].strftime("%Y-%m-%d") for r in rows} == {"2022-04-01"}
    assert any(r[3].startswith("0") for r in rows), "zip codes keep their leading zeros"
    for event in result.get_asset_materialization_events():
        key = event.asset_key
        assert check_materialization_metadata(key, event.materialization.metadata, is_table=True) == []
    evaluations = {e.check_name: e.passed for e in result.get_asset_check_evaluations()}
    assert evaluations == {
        "simple_postgres_check": True,
        "nps_pension_no_duplicate_natural_keys": True,
        "nps_quarantine_below_threshold": True,
    }


def test_reloading_a_month_replaces_it_without_duplicates(sample_env):
    resources = nps_resources_for(sample_env["source"])
    assert run_month("2022-04", resources).success
    assert run_month("2022-05", resources).success
    before = pension(
        sample_env["postgres_url"], "data_created_ym, company_name, subscriber_count, monthly_notice_amount"
    )
    assert run_month("2022-04", resources).success
    after = pension(
        sample_env["postgres_url"], "data_created_ym, company_name, subscriber_count, monthly_notice_amount"
    )
    assert len(after) == len(before) == 5066
    assert sorted(after, key=repr) == sorted(before, key=repr)


def test_a_failure_in_the_middle_of_a_load_leaves_the_previous_month_intact(sample_env):
    resources = nps_resources_for(sample_env["source"])
    assert run_month("2022-04", resources).success
    before = pension(sample_env["postgres_url"], "id, company_name, zip_code")
    # A silver row the warehouse rejects (zip_code longer than VARCHAR(10)), placed last so that
    # COPY has already streamed the rest of the month when it fails.
    from dag_nps.lib.silver import SILVER_TABLE
    from dag_shared.resources.duckdb import duckdb_resource

    with duckdb_resource("nps").get_connection() as duck:
        duck.execute(
            f"INSERT INTO {SILVER_TABLE} SELECT * REPLACE (10**6 AS source_line, '12345678901' AS zip_code) "
            f"FROM {SILVER_TABLE} WHERE data_created_ym = DATE '2022-04-01' LIMIT 1"
        )
    result = run_month("2022-04", resources, assets=[nps_his_postgres_append])
    assert not result.success
    assert "value too long" in str(result.get_step_failure_events()[0].event_specific_data.error.to_string())
    assert pension(sample_env["postgres_url"], "id, company_name, zip_code") == before


def test_the_sample_files_are_marked_and_in_the_original_format():
    files = sorted(SAMPLE_DIR.glob("*.csv"))
    assert len(files) == 3
    readme = (SAMPLE_DIR / "README.md").read_text(encoding="utf-8")
    assert "SAMPLE DATA" in readme
    data = files[0].read_bytes()
    assert data.count(b"\r\n") > 2000 and b"\r\n" in data[:1000]
    text = data.decode("cp949")
    assert text.startswith("자료생성년월,사업장명,사업자등록번호,사업장가입상태코드 1 등록 2 탈퇴,")
    assert ",0001-01-01," in text and ",," in text


def test_names_with_quotes_tabs_newlines_and_backslashes_arrive_byte_identical(nps_env):
    from dag_nps.lib.sample import encode_rows, month_rows, release_title

    rows = [list(r) for r in month_rows("2022-04", 30)]
    odd = ['(주)"따옴표" 상사', "탭\t회사", "줄\n바꿈\r\n회사", "역\\슬래시\\N 회사", "NA"]
    for row, name in zip(rows, odd):
        row[1] = name
    (nps_env["source"] / f"{release_title('20220516')}.csv").write_bytes(encode_rows(rows))
    assert run_month("2022-04", nps_resources_for(nps_env["source"], min_file_bytes=1_000)).success
    names = [r[1] for r in pension(nps_env["postgres_url"], "id, company_name")]
    assert names[: len(odd)] == odd


def test_the_duplicate_check_fails_when_a_month_holds_a_row_twice(sample_env):
    resources = nps_resources_for(sample_env["source"])
    assert run_month("2022-04", resources).success
    with psycopg.connect(sample_env["postgres_url"], autocommit=True) as conn:
        conn.execute(
            "INSERT INTO pension (data_created_ym, company_name, business_reg_num, join_status, zip_code) "
            "SELECT data_created_ym, company_name, business_reg_num, join_status, zip_code FROM pension "
            "WHERE id = (SELECT min(id) FROM pension)"
        )
        conn.execute(
            "INSERT INTO pension (data_created_ym, company_name, business_reg_num, join_status, zip_code) "
            "SELECT data_created_ym, company_name, business_reg_num, join_status, zip_code FROM pension "
            "WHERE id = (SELECT max(id) FROM pension)"
        )
    evaluation = nps_pension_no_duplicate_natural_keys(nps_postgres=resources["nps_postgres"])
    assert not evaluation.passed and evaluation.metadata["duplicate_keys"].value == 1
    silver_check = simple_postgres_check(
        nps_postgres=resources["nps_postgres"], nps_duckdb=resources["nps_duckdb"]
    )
    assert not silver_check.passed  # 2,535 rows vs 2,533 in silver
    assert silver_check.metadata["mismatched_months"].value == {"2022-04": {"silver": 2533, "pension": 2535}}


def test_a_month_above_the_quarantine_ratio_is_not_loaded_and_the_check_fails_on_a_stricter_ratio(nps_env):
    from dag_nps.lib.sample import encode_rows, month_rows, release_title

    rows = [list(r) for r in month_rows("2022-04", 40)]
    for row in rows[:5]:
        row[19] = "n/a"
    (nps_env["source"] / f"{release_title('20220516')}.csv").write_bytes(encode_rows(rows))
    strict = nps_resources_for(nps_env["source"], min_file_bytes=1_000, quarantine_max_ratio=0.05)
    refused = run_month("2022-04", strict)
    assert not refused.success
    assert "5 of 40 rows quarantined (NPS_QUARANTINE_MAX_RATIO) (12.50%, above the allowed 5.00%)" in str(
        refused.get_step_failure_events()[0].event_specific_data.error.message
    )
    with psycopg.connect(nps_env["postgres_url"]) as conn:
        assert conn.execute("SELECT to_regclass('public.pension')").fetchone()[0] is None, (
            "nothing was loaded"
        )
    lenient = nps_resources_for(nps_env["source"], min_file_bytes=1_000, quarantine_max_ratio=0.2)
    assert run_month("2022-04", lenient).success
    assert len(pension(nps_env["postgres_url"])) == 35
    evaluation = nps_quarantine_below_threshold(
        nps_duckdb=strict["nps_duckdb"], nps_source=strict["nps_source"]
    )
    assert not evaluation.passed
    assert evaluation.metadata["quarantined_rows"].value == 5
