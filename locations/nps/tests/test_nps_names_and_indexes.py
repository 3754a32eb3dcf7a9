"""Company-name SQL functions (legacy defects 26–31 fixed) and the indexes asset with its check."""

import dagster as dg
import psycopg
import pytest
from dag_nps.defs.nps_pension_staging_indexes import (
    check_pension_staging_indexes,
    nps_pension_staging_indexes,
)
from dag_nps.lib.name_sql import LEGAL_FORMS, _form_pattern, all_function_sql, normalize_sql
from dag_nps.lib.pension_indexes import INDEXES

from conftest import nps_resources_for


@pytest.fixture
def functions_db(postgres_url):
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        for statement in all_function_sql():
            conn.execute(statement)
        yield conn


def call(conn, function, value):
    return conn.execute(f"SELECT public.{function}(%s)", (value,)).fetchone()[0]


@pytest.mark.parametrize(
    ("name", "normalized"),
    [
        ("신협", "신협"),
        ("대구 신협", "대구신협"),
        ("농협", "농협"),
        ("(주)한빛전자", "한빛전자"),
        ("주 식 회 사 한빛전자", "한빛전자"),
        ("㈜한빛 전자 (구 한빛산업)", "한빛전자"),
        ("서울신용협동조합", "서울신용협동조합"),
        ("새마을금고 본점", "새마을금고본점"),
        ("（주）Café ONE", "cafeone"),
        ("롯데백화점", "롯데백화점"),
        (None, ""),
    ],
)
def test_normalize_company_name_examples(functions_db, name, normalized):
    assert call(functions_db, "nps_normalize_company_name", name) == normalized


@pytest.mark.parametrize(
    ("name", "canonical"),
    [
        ("롯데백화점", "롯데백화점"),
        ("롯데백화점 본점", "롯데백화점"),
        ("주식회사 한빛전자 서울지점", "한빛전자 서울"),
        ("(주)다온물류 서비스센터", "다온물류"),
        ("주식회사", None),
        ("새마을금고", "새마을금고"),
    ],
)
def test_canonicalize_company_name_strips_only_branch_words(functions_db, name, canonical):
    assert call(functions_db, "nps_canonicalize_company_name", name) == canonical


def test_company_types_come_from_one_label_list(functions_db):
    assert call(functions_db, "nps_extract_company_type", "(주)한빛") == "주식회사"
    assert call(functions_db, "nps_extract_company_types", "서울신용협동조합") == ["신용협동조합", "협동조합"]
    assert call(functions_db, "nps_extract_company_type", "한빛상사") is None


def test_the_legal_form_list_is_written_once_into_the_sql():
    sql = normalize_sql()
    assert sql.count(_form_pattern("유한책임회사")) == 1
    assert all(_form_pattern(form) in sql for form in LEGAL_FORMS)


def test_the_indexes_asset_builds_functions_and_indexes_and_the_check_passes(nps_env):
    resources = nps_resources_for(nps_env["source"])
    result = dg.materialize(
        [nps_pension_staging_indexes, check_pension_staging_indexes],
        partition_key="2022-04",
        resources={"nps_postgres": resources["nps_postgres"]},
    )
    assert result.success
    assert [e.passed for e in result.get_asset_check_evaluations()] == [True]
    with psycopg.connect(nps_env["postgres_url"]) as conn:
        names = {r[0] for r in conn.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'pension'")}
        volatility = dict(
            conn.execute("SELECT proname, provolatile FROM pg_proc WHERE proname LIKE 'nps_%%'").fetchall()
        )
    assert set(INDEXES) <= names
    assert set(volatility.values()) == {"i"}


def test_the_index_check_fails_when_a_function_is_missing(nps_env):
    resources = {"nps_postgres": nps_resources_for(nps_env["source"])["nps_postgres"]}
    assert dg.materialize([nps_pension_staging_indexes], partition_key="2022-04", resources=resources).success
    with psycopg.connect(nps_env["postgres_url"], autocommit=True) as conn:
        conn.execute("DROP FUNCTION public.nps_extract_company_type(text)")
    evaluation = check_pension_staging_indexes(nps_postgres=resources["nps_postgres"])
    assert not evaluation.passed
    assert evaluation.metadata["missing"].value == ["nps_extract_company_type"]
