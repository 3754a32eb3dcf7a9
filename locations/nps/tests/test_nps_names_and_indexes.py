"""Company-name SQL functions (legacy defects 26–31 fixed) and the indexes asset with its check."""

import dagster as dg
import psycopg
import pytest
from dag_nps.defs.nps_pension_staging_indexes import (
    check_pension_staging_indexes,
    nps_pension_staging_indexes,
)
from dag_nps.lib.name_sql import (
    LEGAL_FORMS,
    PROTECTED,
    PROTECTED_WORDS,
    all_function_sql,
    normalize_sql,
    reference_normalize_sql,
)
from dag_nps.lib.pension_indexes import GIST_INDEX, INDEXES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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


def test_the_matching_key_ignores_the_callers_search_path(functions_db):
    """Without a pinned search_path the key must still not change: an expression index relies on it."""
    name = "(주)한빛 전자 Café"
    expected = call(functions_db, "nps_normalize_company_name", name)
    functions_db.execute("CREATE SCHEMA IF NOT EXISTS shadow")
    for function in ("lower", "translate", "replace", "strpos", "regexp_replace"):
        arguments = {"lower": "text", "translate": "text, text, text", "replace": "text, text, text",
                     "strpos": "text, text", "regexp_replace": "text, text, text, text"}[function]  # fmt: skip
        returns = "integer" if function == "strpos" else "text"
        value = "0" if function == "strpos" else "'shadowed'"
        functions_db.execute(
            f"CREATE OR REPLACE FUNCTION shadow.{function}({arguments}) RETURNS {returns} "
            f"LANGUAGE sql IMMUTABLE AS $$ SELECT {value} $$"
        )
    try:
        functions_db.execute("SET search_path = shadow, pg_catalog, public")
        assert call(functions_db, "nps_normalize_company_name", name) == expected == "한빛전자cafe"
    finally:
        functions_db.execute("RESET search_path")
        functions_db.execute("DROP SCHEMA shadow CASCADE")


def test_the_legal_form_list_is_written_once_into_the_sql():
    sql = normalize_sql()
    assert sql.count("유한책임회사") == 1
    assert all(form.replace("(", "\\(").replace(")", "\\)") in sql for form in LEGAL_FORMS)


def _spaced(text: str) -> st.SearchStrategy[str]:
    """The text with random spaces (or none) between its characters, as the real files write forms."""
    gaps = st.lists(
        st.sampled_from(["", "", "", " ", "  ", "\t", "\u3000"]), min_size=len(text), max_size=len(text)
    )
    return gaps.map(lambda spaces: "".join(ch + gap for ch, gap in zip(text, spaces, strict=True)))


NAME_PARTS = st.one_of(
    st.sampled_from(
        [
            "한빛",
            "다온",
            "Café",
            "ÉCOLE",
            "ＡＢＣ",
            "（주）",
            "서울",
            "물류",
            "본점",
            "{0}",
            "{3}",
            "-",
            "&",
            "．",
        ]
    ),
    st.sampled_from([*LEGAL_FORMS, *PROTECTED, *PROTECTED_WORDS]).flatmap(_spaced),
    st.text(alphabet="()주사유합재법인회조금고협농신 ㈜aÀ1", max_size=6),
)
NAMES = st.lists(NAME_PARTS, max_size=6).map("".join)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(names=st.lists(NAMES, min_size=1, max_size=40))
def test_the_fast_matching_key_equals_the_spec_shaped_one(functions_db, names):
    functions_db.execute(reference_normalize_sql())
    rows = functions_db.execute(
        "SELECT name, public.nps_normalize_company_name(name), public.nps_normalize_reference(name) "
        "FROM unnest(%s::text[]) AS t(name)",
        (names,),
    ).fetchall()
    assert [(name, fast) for name, fast, _ in rows] == [(name, reference) for name, _, reference in rows]


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
    assert names == set(INDEXES) - {GIST_INDEX} | {"pension_pkey"}
    assert set(volatility.values()) == {"i"}


def _pension_indexes(url: str) -> set[str]:
    with psycopg.connect(url) as conn:
        return {r[0] for r in conn.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'pension'")}


def test_the_gist_index_follows_its_setting_and_the_check_asks_for_it(nps_env, monkeypatch):
    resources = {"nps_postgres": nps_resources_for(nps_env["source"])["nps_postgres"]}
    monkeypatch.setenv("NPS_PENSION_GIST_INDEX", "true")
    assert (
        GIST_INDEX
        in check_pension_staging_indexes(nps_postgres=resources["nps_postgres"]).metadata["missing"].value
    )
    built = dg.materialize([nps_pension_staging_indexes], partition_key="2022-04", resources=resources)
    assert GIST_INDEX in _pension_indexes(nps_env["postgres_url"])
    assert (
        f"created {GIST_INDEX}"
        in built.asset_materializations_for_node("nps_pension_staging_indexes")[0].metadata["actions"].value
    )
    assert check_pension_staging_indexes(nps_postgres=resources["nps_postgres"]).passed

    monkeypatch.setenv("NPS_PENSION_GIST_INDEX", "false")
    assert dg.materialize([nps_pension_staging_indexes], partition_key="2022-04", resources=resources).success
    assert _pension_indexes(nps_env["postgres_url"]) == set(INDEXES) - {GIST_INDEX} | {"pension_pkey"}
    assert check_pension_staging_indexes(nps_postgres=resources["nps_postgres"]).passed

    monkeypatch.setenv("NPS_PENSION_GIST_INDEX", "sometimes")
    failed = dg.materialize(
        [nps_pension_staging_indexes], partition_key="2022-04", resources=resources, raise_on_error=False
    )
    assert not failed.success
    assert "NPS_PENSION_GIST_INDEX='sometimes'" in str(
        failed.get_step_failure_events()[0].event_specific_data.error
    )


def test_the_index_check_fails_when_a_function_is_missing(nps_env):
    resources = {"nps_postgres": nps_resources_for(nps_env["source"])["nps_postgres"]}
    assert dg.materialize([nps_pension_staging_indexes], partition_key="2022-04", resources=resources).success
    with psycopg.connect(nps_env["postgres_url"], autocommit=True) as conn:
        conn.execute("DROP FUNCTION public.nps_extract_company_type(text)")
    evaluation = check_pension_staging_indexes(nps_postgres=resources["nps_postgres"])
    assert not evaluation.passed
    assert evaluation.metadata["missing"].value == ["nps_extract_company_type"]
