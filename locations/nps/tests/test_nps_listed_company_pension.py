"""`nps_listed_company_pension`: CD's listed companies matched to NPS workplaces, monthly headcounts.

CD's product is written here in its documented layout (Parquet + `latest.json` in the object store):
the nps suite knows CD only by that contract, never by its code.
"""

import json
import shutil
from datetime import date

import dagster as dg
import duckdb
import psycopg
import pytest
from dag_nps.defs.nps_ensure_saas_tables import nps_ensure_saas_tables
from dag_nps.defs.nps_listed_company_pension import (
    DataProductStoreResource,
    listed_match_share,
    no_negative_headcount,
    nps_listed_company_pension,
    one_rollup_per_listed_company,
)
from dag_nps.defs.nps_saas_etl_run import nps_saas_etl_run
from dag_nps.lib.listed_rules import Candidate, decide, decide_all, decide_company
from dag_nps.lib.listed_sample import expected_headcount
from dag_nps.lib.sample import SAMPLE_DIR
from dag_nps.lib.sample import SAMPLE_MONTHS as MONTHS
from test_nps_saas import load_months

from conftest import nps_resources_for

KEY = "cd/cd_listed_companies/date=2024-01-05/cd_listed_companies.parquet"
# (name, market, common ticker, readings) as CD publishes them for its sample days.
LISTED = (
    ("삼성전자", "KOSPI", "005930", ()),
    ("LG전자", "KOSPI", "066570", ("엘지전자",)),
    ("NAVER", "KOSPI", "035420", ("엔에이브이이알",)),
    ("현대차", "KOSPI", "005380", ()),
    ("카카오게임즈", "KOSDAQ", "293490", ()),
    ("대원전선", "KOSPI", None, ()),  # listed through its preferred share only
    ("SK하이닉스", "KOSPI", "000660", ("에스케이하이닉스",)),
    ("BYC", "KOSPI", "001460", ("비와이씨",)),
    ("에코프로비엠", "KOSDAQ", "247540", ()),
    ("CJ제일제당", "KOSPI", "097950", ("씨제이제일제당",)),
    ("대신증권", "KOSPI", "003540", ()),
    ("HB솔루션", "KOSDAQ", "297890", ("에이치비솔루션",)),
    ("엠앤씨생명과학", "KONEX", "225860", ()),
    ("이스트아시아홀딩스", "KOSDAQ", "900110", ()),
    ("오성정밀", "KOSDAQ", "123450", ()),  # only a dealer carries its name
)


def publish_listed(store_root, listed=LISTED, key=KEY, day="2024-01-05"):
    """CD's product in its documented layout, written with DuckDB as CD writes it."""
    folder = store_root / "dag"
    target = folder / key
    target.parent.mkdir(parents=True, exist_ok=True)
    conn = duckdb.connect()
    conn.execute(
        "CREATE TABLE listed (company_id VARCHAR, company_name VARCHAR, market VARCHAR, ticker VARCHAR, "
        "listing_date DATE, delisting_date DATE, readings VARCHAR[], preferred_tickers VARCHAR[], as_of DATE)"
    )
    for i, (name, market, ticker, readings) in enumerate(listed):
        conn.execute(
            "INSERT INTO listed VALUES (?, ?, ?, ?, ?, NULL, ?, ?, ?)",
            [f"00000000-0000-0000-0000-{i:012d}", name, market, ticker, date(2024, 1, 2), list(readings),
             [] if ticker else ["006345"], date.fromisoformat(day)],
        )  # fmt: skip
    conn.execute(f"COPY listed TO '{target}' (FORMAT parquet)")
    conn.close()
    (folder / "cd/cd_listed_companies/latest.json").write_text(json.dumps({"day": day, "key": key}))


@pytest.fixture
def listed_env(nps_env, tmp_path):
    for path in SAMPLE_DIR.glob("*.csv"):
        shutil.copy(path, nps_env["source"] / path.name)
    nps_env["resources"] = nps_resources_for(nps_env["source"])
    load_months(nps_env, *[m for m, _ in MONTHS])
    store = tmp_path / "store"
    publish_listed(store)
    nps_env["store"] = store
    postgres = {"nps_postgres": nps_env["resources"]["nps_postgres"]}
    assert dg.materialize([nps_ensure_saas_tables, nps_saas_etl_run], resources=postgres).success
    return nps_env


def build(env):
    resources = {
        "nps_postgres": env["resources"]["nps_postgres"],
        "nps_product_store": DataProductStoreResource(local_root=str(env["store"])),
    }
    return dg.materialize(
        [
            nps_listed_company_pension,
            listed_match_share,
            one_rollup_per_listed_company,
            no_negative_headcount,
        ],
        resources=resources,
        selection=dg.AssetSelection.assets(nps_listed_company_pension) | dg.AssetSelection.all_asset_checks(),
    )


def rows(url, query):
    with psycopg.connect(url) as conn:
        return conn.execute(query).fetchall()


def monthly(url):
    return {
        (name, f"{ym:%Y-%m}"): (count, method)
        for name, ym, count, method in rows(
            url, "SELECT company_name, ym, subscriber_count, match_method FROM listed_company_pension_monthly"
        )
    }


def test_listed_companies_get_the_monthly_headcount_of_all_their_workplaces_and_nothing_else(listed_env):
    result = build(listed_env)
    assert result.success
    table = monthly(listed_env["postgres_url"])
    for month, _ in MONTHS:
        samsung = sum(
            expected_headcount(n, month)
            for n in ("삼성전자(주)", "삼성전자주식회사", "삼성전자(주) 광주공장")
        )
        assert table[("삼성전자", month)] == (samsung, "name")  # two workplaces and a branch, no dealer
        assert table[("LG전자", month)] == (expected_headcount("엘지전자(주)", month), "reading")
        assert table[("NAVER", month)] == (expected_headcount("네이버 주식회사", month), "alias")
        assert table[("현대차", month)] == (expected_headcount("현대자동차(주)", month), "alias")
        assert table[("카카오게임즈", month)][0] == expected_headcount("㈜ 카카오게임즈", month)
        assert table[("에코프로비엠", month)][0] == expected_headcount("주식회사 에코프로비엠", month)
        assert table[("HB솔루션", month)][0] == expected_headcount("에이치비솔루션㈜", month)
        assert table[("대원전선", month)][0] == expected_headcount("대원전선 주식회사", month)
        assert table[("BYC", month)][0] == expected_headcount(
            "비와이씨 주식회사", month
        )  # not the small shop
    assert {name for name, _ in table} == {
        "삼성전자", "LG전자", "NAVER", "현대차", "카카오게임즈", "대원전선", "SK하이닉스", "BYC", "에코프로비엠",
        "CJ제일제당", "HB솔루션",
    }  # fmt: skip
    status = dict(rows(listed_env["postgres_url"], "SELECT company_name, status FROM listed_company_match"))
    assert status["대신증권"] == "ambiguous" and status["엠앤씨생명과학"] == "review"
    assert status["이스트아시아홀딩스"] == "unmatched"
    # The dealer's display name is exactly 오성정밀 (대리점 is stripped), yet it is judged on its registered name.
    assert status["오성정밀"] == "unmatched"
    materialization = result.asset_materializations_for_node("nps_listed_company_pension")[0]
    assert materialization.metadata["matched"].value == 11
    assert materialization.metadata["dagster/row_count"].value == 11 * len(MONTHS)
    assert "이스트아시아홀딩스" in materialization.metadata["not_matched"].value
    checks = {e.check_name: e.passed for e in result.get_asset_check_evaluations()}
    assert checks == {
        "listed_match_share": True,
        "one_rollup_per_listed_company": True,
        "no_negative_headcount": True,
    }


def test_workplaces_that_only_carry_the_name_are_audited_and_the_rest_summed_through_one_rollup(listed_env):
    assert build(listed_env).success
    audit = {
        name: (decision, reason)
        for name, decision, reason in rows(
            listed_env["postgres_url"],
            "SELECT a.workplace_name, a.decision, a.reason FROM listed_company_match_audit a "
            "JOIN listed_company_match m USING (company_id) WHERE m.company_name IN ('삼성전자', 'BYC', '대신증권')",
        )
    }
    assert audit["(주)삼성전자한양유통"] == ("rejected", "the name merely contains the listed name")
    assert audit["삼성전자신용협동조합"][0] == "rejected"
    assert audit["삼성전자 대리점"] == ("rejected", "'대리점' in the name: not the company itself")
    assert audit["비와이씨"][0] == "rejected" and "individual" in audit["비와이씨"][1]
    assert audit["삼성전자(주) 광주공장"][0] == "accepted"
    assert audit["대신증권(주)"][0] == "ambiguous"
    # The company's two workplaces and its branch are summed through one rollup.
    url = listed_env["postgres_url"]
    rollups = rows(
        url,
        "SELECT DISTINCT r.rollup_id, r.method FROM company_rollup r JOIN listed_company_match_audit a "
        "ON a.nps_company_id = r.company_id AND a.decision = 'accepted' JOIN listed_company_match m "
        "ON m.company_id = a.company_id WHERE m.company_name = '삼성전자'",
    )
    assert len(rollups) == 1 and rollups[0][1] == "listed_company"
    rolled = dict(
        rows(
            url,
            f"SELECT to_char(ym, 'YYYY-MM'), subscriber_count FROM fact_pension_monthly_rollup WHERE rollup_id = {rollups[0][0]}",
        )
    )
    assert rolled == {m: monthly(url)[("삼성전자", m)][0] for m, _ in MONTHS}


def test_the_checks_fail_on_a_split_rollup_a_negative_month_and_a_low_match_share(listed_env):
    assert build(listed_env).success
    url = listed_env["postgres_url"]
    with psycopg.connect(url) as conn:
        workplaces = conn.execute(
            "SELECT a.nps_company_id FROM listed_company_match_audit a JOIN listed_company_match m "
            "ON m.company_id = a.company_id WHERE a.decision = 'accepted' AND m.company_name = %s ORDER BY 1",
            ("삼성전자",),
        ).fetchall()
        lg = conn.execute(
            "SELECT a.nps_company_id FROM listed_company_match_audit a JOIN listed_company_match m "
            "ON m.company_id = a.company_id WHERE a.decision = 'accepted' AND m.company_name = 'LG전자'"
        ).fetchone()[0]
        # A reviewer attached one of 삼성전자's workplaces to another rollup; a source month went negative.
        conn.execute(
            "UPDATE company_rollup SET rollup_id = %s, method = 'review_approved' WHERE company_id = %s",
            (lg, workplaces[-1][0]),
        )
        conn.execute(
            "UPDATE fact_pension_monthly SET subscriber_count = -5 WHERE company_id IN (SELECT a.nps_company_id "
            "FROM listed_company_match_audit a JOIN listed_company_match m ON m.company_id = a.company_id "
            "WHERE a.decision = 'accepted' AND m.company_name = '대원전선')"
        )
    unmatched = tuple((f"없는회사{i}", "KOSDAQ", f"9{i:05d}", ()) for i in range(20))
    publish_listed(listed_env["store"], LISTED + unmatched)
    result = build(listed_env)
    checks = {e.check_name: e for e in result.get_asset_check_evaluations()}
    assert not checks["one_rollup_per_listed_company"].passed
    assert checks["one_rollup_per_listed_company"].metadata["examples"].value == "삼성전자"
    assert not checks["no_negative_headcount"].passed
    assert not checks["listed_match_share"].passed
    assert checks["listed_match_share"].severity == dg.AssetCheckSeverity.WARN


def test_re_running_leaves_the_same_rows(listed_env):
    assert build(listed_env).success
    query = "SELECT * FROM listed_company_pension_monthly ORDER BY company_id, ym"
    first = rows(listed_env["postgres_url"], query)
    rollups = rows(
        listed_env["postgres_url"], "SELECT company_id, rollup_id, method FROM company_rollup ORDER BY 1"
    )
    assert build(listed_env).success
    assert rows(listed_env["postgres_url"], query) == first
    assert (
        rows(
            listed_env["postgres_url"], "SELECT company_id, rollup_id, method FROM company_rollup ORDER BY 1"
        )
        == rollups
    )
    latest = rows(listed_env["postgres_url"], "SELECT DISTINCT ym FROM listed_company_pension_latest")
    assert latest == [(date(2022, 5, 1),)]


def test_without_a_published_cd_day_the_asset_fails_naming_the_missing_pointer(nps_env, tmp_path):
    resources = {
        "nps_postgres": nps_resources_for(nps_env["source"])["nps_postgres"],
        "nps_product_store": DataProductStoreResource(local_root=str(tmp_path / "empty")),
    }
    result = dg.materialize([nps_listed_company_pension], resources=resources, raise_on_error=False)
    assert not result.success
    failure = result.failure_data_for_node("nps_listed_company_pension")
    assert "cd/cd_listed_companies/latest.json" in failure.error.message


def _candidate(
    raw_name, raw_norm, key="삼성전자", brn="124810", boundary=False, kind="1", types=(), nps_id=1
):
    return Candidate("listed", key, "name", nps_id, brn, raw_name, raw_norm, boundary, kind, types)


def test_two_head_offices_under_one_name_are_ambiguous_and_a_workplace_two_companies_claim_goes_to_neither():
    ambiguous = decide_company(
        [_candidate("대신증권(주)", "대신증권", key="대신증권", brn="201810", nps_id=1),
         _candidate("대신증권(주)", "대신증권", key="대신증권", brn="621810", nps_id=2)]
    )  # fmt: skip
    assert ambiguous.status == "ambiguous" and "201810" in ambiguous.reason and not ambiguous.workplaces
    same_brn = decide_company(
        [
            _candidate("삼성전자(주)", "삼성전자", nps_id=1),
            _candidate("삼성전자주식회사", "삼성전자", nps_id=2),
        ]
    )
    assert same_brn.status == "matched" and same_brn.workplaces == [1, 2]
    first = _candidate("한빛(주)", "한빛", key="한빛", nps_id=7)
    second = Candidate("other", "한빛", "alias", 7, "124810", "한빛(주)", "한빛", False, "1", ())
    outcomes = decide_all([first, second])
    assert all(o.status == "ambiguous" and not o.workplaces for o in outcomes.values())


def test_a_branch_needs_a_word_boundary_and_a_branch_sign():
    assert decide(_candidate("(주)삼성전자한양유통", "삼성전자한양유통", brn="211810")).rule == "contains"
    company = decide_company(
        [_candidate("삼성전자(주)", "삼성전자", nps_id=1),
         _candidate("삼성전자(주) 광주공장", "삼성전자광주공장", brn="410850", boundary=True, nps_id=2),
         _candidate("삼성전자 한양", "삼성전자한양", brn="211810", boundary=True, nps_id=3),
         _candidate("삼성전자 구미", "삼성전자구미", brn="124810", boundary=True, nps_id=4),
         _candidate("삼성전자 사내근로복지기금", "삼성전자사내근로복지기금", boundary=True, types=("재단법인",), nps_id=5)]
    )  # fmt: skip
    assert company.workplaces == [1, 2, 4]  # a branch word, or the company's registration number
    reasons = {d.candidate.nps_id: d.reason for d in company.decisions if not d.accepted}
    assert reasons[3] == "more words after the name, but no branch sign"
    assert "재단법인" in reasons[5]


def test_automation_requests_the_product_when_either_upstream_updates_once_both_are_in():
    """CD's asset as the global graph shows it (partitioned by trading day), NPS's SaaS layer beside it."""
    days = dg.StaticPartitionsDefinition(["2024-01-02", "2024-01-03"])

    @dg.asset(key="cd_listed_companies", partitions_def=days)
    def cd_stand_in(): ...

    @dg.asset(key="nps_saas_etl_run")
    def etl_stand_in(): ...

    @dg.asset(key="nps_full_rebuild_from_pension")
    def rebuild_stand_in(): ...

    defs = dg.Definitions(
        assets=[cd_stand_in, etl_stand_in, rebuild_stand_in, nps_listed_company_pension],
        resources={
            "nps_postgres": dg.ResourceDefinition.none_resource(),
            "nps_product_store": DataProductStoreResource(),
        },
    )
    instance = dg.DagsterInstance.ephemeral()
    target = dg.AssetKey("nps_listed_company_pension")
    cursor = None

    def requested() -> bool:
        nonlocal cursor
        result = dg.evaluate_automation_conditions(defs=defs, instance=instance, cursor=cursor)
        cursor = result.cursor
        return result.get_num_requested(target) == 1

    def materialized(key: str, partition: str | None = None) -> None:
        instance.report_runless_asset_event(dg.AssetMaterialization(key, partition=partition))

    assert not requested()
    materialized("nps_saas_etl_run")
    assert not requested()  # no CD day published yet
    materialized("cd_listed_companies", "2024-01-02")
    assert requested()
    materialized("nps_listed_company_pension")
    assert not requested()
    materialized("cd_listed_companies", "2024-01-03")  # a new CD day
    assert requested()
    materialized("nps_listed_company_pension")
    assert not requested()
    materialized("nps_saas_etl_run")  # a new NPS month
    assert requested()
