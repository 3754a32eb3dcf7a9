"""The SaaS/KYC layer: incremental ETL equals the full rebuild; outcomes, guard, trigger, checks."""

import dagster as dg
import psycopg
import pytest
from dag_nps.defs.nps_ensure_saas_tables import nps_ensure_saas_tables
from dag_nps.defs.nps_full_rebuild_from_pension import nps_full_rebuild_from_pension
from dag_nps.defs.nps_his_digest import nps_his_digest
from dag_nps.defs.nps_his_download import nps_his_download
from dag_nps.defs.nps_his_postgres_append import nps_his_postgres_append
from dag_nps.defs.nps_pension_staging_indexes import nps_pension_staging_indexes
from dag_nps.defs.nps_saas_etl_run import check_etl_coverage, check_timeseries_uniqueness, nps_saas_etl_run
from dag_nps.lib.sample import encode_rows, month_rows, release_title

from conftest import nps_resources_for

ROWS = 400
SNAPSHOTS = {
    "dim": "SELECT business_reg_num, addr_key, canonical_name, normalized_name, company_types, industry_code "
    "FROM dim_company ORDER BY 1, 2",
    "alias": "SELECT d.business_reg_num, d.addr_key, a.normalized_alias, a.alias FROM company_alias a "
    "JOIN dim_company d USING (company_id) ORDER BY 1, 2, 3",
    "fact": "SELECT d.business_reg_num, d.addr_key, f.ym, f.subscriber_count, f.monthly_notice_amount, "
    "f.new_subscribers, f.lost_subscribers FROM fact_pension_monthly f JOIN dim_company d USING (company_id) "
    "ORDER BY 1, 2, 3",
}


def write_month(folder, month, release, extra=()):
    rows = [list(r) for r in month_rows(month, ROWS)]
    rows += [list(r) for r in extra]
    (folder / f"{release_title(release)}.csv").write_bytes(encode_rows(rows))
    return rows


@pytest.fixture
def saas_env(nps_env):
    folder = nps_env["source"]
    base = [list(r) for r in month_rows("2022-04", ROWS)]
    guard = list(base[1])
    guard[1], guard[13] = guard[1] + " 2공장", "999999"  # same BRN and address, other industry
    short = list(base[2])
    short[1], short[2] = "가나", ""  # no BRN and a name too short to match by name
    write_month(folder, "2022-03", "20220418")
    write_month(folder, "2022-04", "20220516", extra=[guard, short])
    write_month(folder, "2022-05", "20220617")
    nps_env["resources"] = nps_resources_for(folder, min_file_bytes=1_000, quarantine_max_ratio=0.01)
    return nps_env


def load_months(env, *months):
    for month in months:
        result = dg.materialize(
            [nps_his_download, nps_his_digest, nps_his_postgres_append, nps_pension_staging_indexes],
            partition_key=month,
            resources=env["resources"],
        )
        assert result.success


def run_saas(env, asset):
    postgres = {"nps_postgres": env["resources"]["nps_postgres"]}
    return dg.materialize([nps_ensure_saas_tables, asset], resources=postgres)


def snapshot(url):
    with psycopg.connect(url) as conn:
        return {name: conn.execute(query).fetchall() for name, query in SNAPSHOTS.items()}


def test_the_incremental_etl_equals_the_full_rebuild_for_the_same_input(saas_env):
    load_months(saas_env, "2022-03", "2022-04")
    assert run_saas(saas_env, nps_saas_etl_run).success
    load_months(saas_env, "2022-05")
    assert run_saas(saas_env, nps_saas_etl_run).success
    incremental = snapshot(saas_env["postgres_url"])
    assert run_saas(saas_env, nps_full_rebuild_from_pension).success
    rebuilt = snapshot(saas_env["postgres_url"])
    assert incremental["fact"] and incremental["alias"] and incremental["dim"]
    assert incremental == rebuilt


def test_every_row_gets_exactly_one_outcome_and_the_counts_balance(saas_env):
    load_months(saas_env, "2022-03", "2022-04", "2022-05")
    result = run_saas(saas_env, nps_saas_etl_run)
    (materialization,) = result.asset_materializations_for_node("nps_saas_etl_run")
    md = {k: v.value for k, v in materialization.metadata.items()}
    assert md["total_rows"] == 3 * ROWS + 2
    assert (
        md["accepted_rows"] + md["review_rows"] + md["reject_rows"] + md["unmatched_rows"] == md["total_rows"]
    )
    assert md["unmatched_rows"] == 1
    with psycopg.connect(saas_env["postgres_url"]) as conn:
        in_review_and_accepted = conn.execute(
            "SELECT count(*) FROM match_review_queue q JOIN fact_pension_lineage l USING (raw_id)"
        ).fetchone()[0]
        last_ym = conn.execute(
            "SELECT last_ym FROM etl_control WHERE pipeline_name = 'nps_saas_etl'"
        ).fetchone()[0]
    assert in_review_and_accepted == 0
    assert str(last_ym) == "2022-05-01"
    postgres = saas_env["resources"]["nps_postgres"]
    assert check_timeseries_uniqueness(nps_postgres=postgres).passed
    assert check_etl_coverage(nps_postgres=postgres).passed


def test_a_brn_match_whose_industry_disagrees_goes_to_review_not_accepted(saas_env):
    load_months(saas_env, "2022-03", "2022-04", "2022-05")
    assert run_saas(saas_env, nps_saas_etl_run).success
    with psycopg.connect(saas_env["postgres_url"]) as conn:
        queued = conn.execute(
            "SELECT p.company_name, a.rule, a.decided FROM match_review_queue q JOIN pension p ON p.id = q.raw_id "
            "JOIN match_audit_log a ON a.raw_id = q.raw_id AND (a.details->>'rn')::int = 1 WHERE p.industry_code = '999999'"
        ).fetchall()
    assert len(queued) == 1 and queued[0][0].endswith("2공장")
    assert queued[0][1:] == ("BRN6_ADDR_MATCH", "REVIEW")


def test_approving_a_review_row_records_the_decision_time_and_an_alias(saas_env):
    load_months(saas_env, "2022-03", "2022-04", "2022-05")
    assert run_saas(saas_env, nps_saas_etl_run).success
    with psycopg.connect(saas_env["postgres_url"], autocommit=True) as conn:
        raw_id, company, name = conn.execute(
            "SELECT q.raw_id, q.top_candidate_company_id, p.company_name FROM match_review_queue q "
            "JOIN pension p ON p.id = q.raw_id WHERE p.industry_code = '999999'"
        ).fetchone()
        conn.execute(
            "UPDATE match_review_queue SET status = 'APPROVED', decided_company_id = %s WHERE raw_id = %s",
            (company, raw_id),
        )
        decided_at = conn.execute(
            "SELECT decided_at FROM match_review_queue WHERE raw_id = %s", (raw_id,)
        ).fetchone()[0]
        alias = conn.execute(
            "SELECT alias, source FROM company_alias WHERE company_id = %s AND normalized_alias = "
            "nps_normalize_company_name(%s)",
            (company, name),
        ).fetchone()
    assert decided_at is not None
    assert alias == (name, "review_approved")


def test_the_coverage_check_fails_before_any_etl_run(saas_env):
    load_months(saas_env, "2022-03")
    assert dg.materialize(
        [nps_ensure_saas_tables], resources={"nps_postgres": saas_env["resources"]["nps_postgres"]}
    ).success
    assert not check_etl_coverage(nps_postgres=saas_env["resources"]["nps_postgres"]).passed
