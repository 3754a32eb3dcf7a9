"""A partial or wrong monthly file never replaces a loaded month (issue 9, items 1-3).

Each test loads the sample months, publishes one input of the bad-input corpus under the 2022-04
release's name, runs the month as the operators do, and checks silver (DuckDB) and `pension`
(Postgres) against what they held before.
"""

import shutil

import dagster as dg
import psycopg
import pytest
from dag_nps.defs.nps_his_digest import nps_his_digest
from dag_nps.defs.nps_his_download import nps_his_download
from dag_nps.defs.nps_his_postgres_append import nps_his_postgres_append
from dag_nps.lib.sample import SAMPLE_DIR
from dag_shared.resources.duckdb import duckdb_resource
from nps_bad_inputs import (
    APRIL_RELEASE,
    CORPUS,
    april_corrected_same_size,
    april_cut_at_line_boundary,
    march_under_april_name,
    write_corpus,
    wrong_month_under_april_name,
)

from conftest import nps_resources_for

MONTH_ASSETS = [nps_his_download, nps_his_digest, nps_his_postgres_append]
ALLOW_SHRINK = {"ops": {"nps_his_digest": {"config": {"allow_shrink": True}}}}
PENSION = "SELECT id, data_created_ym, company_name, subscriber_count FROM public.pension ORDER BY id"


@pytest.fixture
def loaded(nps_env):
    """2022-03 and 2022-04 of the sample loaded into silver and pension."""
    for path in SAMPLE_DIR.glob("*.csv"):
        shutil.copy(path, nps_env["source"] / path.name)
    resources = nps_resources_for(nps_env["source"])
    for month in ("2022-03", "2022-04"):
        assert run_month(month, resources).success
    return {**nps_env, "resources": resources}


def run_month(month, resources, assets=MONTH_ASSETS, run_config=None):
    return dg.materialize(
        assets, partition_key=month, resources=resources, run_config=run_config, raise_on_error=False
    )


def publish(env, data: bytes, name: str = APRIL_RELEASE) -> None:
    (env["source"] / name).write_bytes(data)


def pension(env):
    with psycopg.connect(env["postgres_url"]) as conn:
        return conn.execute(PENSION).fetchall()


def silver(month="2022-04"):
    with duckdb_resource("nps").get_connection() as duck:
        return duck.execute(
            "SELECT source_line, company_name, subscriber_count FROM nps_pension_silver "
            "WHERE data_created_ym = ?::DATE ORDER BY source_line",
            [f"{month}-01"],
        ).fetchall()


def failure(result) -> str:
    (event,) = result.get_step_failure_events()
    data = event.event_specific_data.error
    return f"{event.step_key}: {data.message}"


def refusal(month, resources, assets=MONTH_ASSETS) -> str:
    """Run the month, which must fail, and return the failure (`step: message`)."""
    result = run_month(month, resources, assets=assets)
    assert not result.success
    return failure(result)


def materialized(result, asset: str):
    (event,) = [e for e in result.get_asset_materialization_events() if e.asset_key.path[-1] == asset]
    return {key: value.value for key, value in event.materialization.metadata.items()}


def test_a_file_of_the_wrong_month_under_the_right_name_is_refused_and_the_month_stays(loaded):
    before_pension, before_silver = pension(loaded), silver()
    publish(loaded, wrong_month_under_april_name())
    message = refusal("2022-04", loaded["resources"])
    assert message.startswith("nps_his_digest")
    assert APRIL_RELEASE in message
    assert "2,532 of 2,533 rows belong to 2022-03, only 1 to 2022-04" in message
    assert pension(loaded) == before_pension and len(before_pension) == 5066
    assert silver() == before_silver and len(before_silver) == 2533


def test_a_file_cut_at_a_line_boundary_is_refused_and_the_month_stays(loaded):
    before_pension, before_silver = pension(loaded), silver()
    publish(loaded, april_cut_at_line_boundary())
    message = refusal("2022-04", loaded["resources"])
    assert APRIL_RELEASE in message
    assert "1,000 rows would replace 2,533 (39.5%, below the allowed 90%)" in message
    assert '"allow_shrink": true' in message, "the refusal says how to load a real drop"
    assert pension(loaded) == before_pension
    assert silver() == before_silver


def test_a_cut_file_of_a_month_not_loaded_yet_is_compared_with_the_nearest_loaded_month(loaded):
    may_cut = april_cut_at_line_boundary().replace(b"\r\n2022-04,", b"\r\n2022-05,")
    publish(loaded, may_cut, name=APRIL_RELEASE.replace("20220516", "20220617"))
    message = refusal("2022-05", loaded["resources"])
    assert "1,000 rows would replace 2,533" in message
    assert "compared with 2022-04, the nearest loaded month" in message
    assert silver("2022-05") == []


def test_a_real_drop_goes_through_with_the_override_into_silver_and_pension(loaded):
    publish(loaded, april_cut_at_line_boundary())
    result = run_month("2022-04", loaded["resources"], run_config=ALLOW_SHRINK)
    assert result.success
    assert materialized(result, "nps_his_digest")["shrink_confirmed"] is True
    assert len(silver()) == 1000
    months = [row[1].strftime("%Y-%m") for row in pension(loaded)]
    assert months.count("2022-04") == 1000 and months.count("2022-03") == 2533
    # the confirmation is recorded with the month: the Postgres load alone accepts it again
    assert run_month("2022-04", loaded["resources"], assets=[nps_his_postgres_append]).success


def test_the_postgres_load_refuses_a_shrunken_silver_month_by_itself(loaded):
    before = pension(loaded)
    with duckdb_resource("nps").get_connection() as duck:  # silver shrunk behind the digest's back
        duck.execute(
            "DELETE FROM nps_pension_silver WHERE data_created_ym = DATE '2022-04-01' AND source_line > 1001"
        )
    message = refusal("2022-04", loaded["resources"], assets=[nps_his_postgres_append])
    assert "into public.pension: 1,000 rows would replace 2,533" in message and APRIL_RELEASE in message
    assert pension(loaded) == before


def test_a_corrected_file_of_the_same_name_and_size_is_landed_again_and_said_so(loaded):
    corrected = april_corrected_same_size()
    original = (loaded["source"] / APRIL_RELEASE).read_bytes()
    assert len(corrected) == len(original) and corrected != original
    with duckdb_resource("nps").get_connection() as duck:
        (old_sha,) = duck.execute(
            "SELECT sha256 FROM nps_download_ledger WHERE release_key = ?", [APRIL_RELEASE]
        ).fetchone()
    old_first = silver()[0]
    publish(loaded, corrected)
    result = run_month("2022-04", loaded["resources"])
    assert result.success
    download = materialized(result, "nps_his_download")
    assert download["file_changed"] is True
    assert download["changed_files"][APRIL_RELEASE]["replaced_sha256"] == old_sha
    assert download["sha256"] != old_sha
    with duckdb_resource("nps").get_connection() as duck:
        assert duck.execute(
            "SELECT replaced_sha256 FROM nps_download_ledger WHERE release_key = ?", [APRIL_RELEASE]
        ).fetchone() == (old_sha,)
    new_first = silver()[0]
    assert new_first[2] != old_first[2] and new_first[:2] == old_first[:2]
    april = [row for row in pension(loaded) if row[1].strftime("%Y-%m") == "2022-04"]
    assert len(april) == 2533 and april[0][3] == new_first[2]
    # the same content again is recognised and not landed a third time
    again = materialized(run_month("2022-04", loaded["resources"]), "nps_his_download")
    assert again["file_changed"] is False and again["already_valid"] == 1


def test_a_file_of_another_month_under_a_name_known_for_this_month_fails_the_download(loaded):
    before_pension, before_silver = pension(loaded), silver()
    publish(loaded, march_under_april_name())
    message = refusal("2022-04", loaded["resources"])
    assert message.startswith("nps_his_download")
    assert APRIL_RELEASE in message
    assert "landed as data month 2022-04" in message and "now under it is data month 2022-03" in message
    assert pension(loaded) == before_pension and silver() == before_silver


def test_the_bad_input_corpus_writes_every_input_with_its_expectation(tmp_path):
    written = write_corpus(tmp_path)
    assert len(written) == len(CORPUS) == 4
    for path in written:
        assert path.name == APRIL_RELEASE and path.stat().st_size > 100_000
        assert (path.parent / "EXPECTED.txt").read_text(encoding="utf-8").strip()
