"""End to end on a real warehouse: setup, sensor, ingest of the sample crawl file, views, re-runs."""

from __future__ import annotations

import json

import dagster as dg
import pytest
from dag_ss.defs.resources import SsSettingsResource
from ss_runs import definitions, materialization_metadata, run_ingest, run_setup

from conftest import SAMPLE_KEY, copy_sample, query


@pytest.fixture
def instance():
    with dg.DagsterInstance.ephemeral() as instance:
        yield instance


def _sensor(instance, cursor=None):
    defs = definitions()
    sensor = defs.resolve_sensor_def("ss_crawl_files_sensor")
    context = dg.build_sensor_context(
        instance=instance, cursor=cursor, definitions=defs, resources={"ss_settings": SsSettingsResource()}
    )
    return sensor(context)


def test_the_sensor_seeds_the_dictionary_first_then_adds_one_partition_per_new_file(ss_env, instance):
    copy_sample(ss_env["crawl"])
    first = _sensor(instance)
    assert [r.job_name for r in first.run_requests] == ["ss_setup_job"]
    assert not first.dynamic_partitions_requests

    run_setup(instance)
    second = _sensor(instance, first.cursor)
    assert [(r.job_name, r.partition_key) for r in second.run_requests] == [("ss_ingest_job", SAMPLE_KEY)]
    assert second.dynamic_partitions_requests[0].partition_keys == [SAMPLE_KEY]

    instance.add_dynamic_partitions("ss_crawl_files", [SAMPLE_KEY])
    again = _sensor(instance, second.cursor)
    assert again.run_requests == []


def test_a_rewritten_crawl_file_is_run_again_and_a_touched_one_is_not(ss_env, instance):
    run_setup(instance)
    path = copy_sample(ss_env["crawl"])
    first = _sensor(instance)
    instance.add_dynamic_partitions("ss_crawl_files", [SAMPLE_KEY])

    path.touch()
    path.write_bytes(path.read_bytes())  # same content, new mtime
    assert _sensor(instance, first.cursor).run_requests == []

    document = json.loads(path.read_text(encoding="utf-8"))
    document[0]["posts"] = document[0]["posts"][:3]
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    rewritten = _sensor(instance, first.cursor)
    assert [r.partition_key for r in rewritten.run_requests] == [SAMPLE_KEY]
    assert rewritten.run_requests[0].run_key != first.run_requests[0].run_key
    assert rewritten.dynamic_partitions_requests == []


def test_the_sample_crawl_file_fills_deals_aggregates_and_the_json_views(ss_env, instance):
    url = ss_env["postgres_url"]
    copy_sample(ss_env["crawl"])
    run_setup(instance)
    result = run_ingest(instance, SAMPLE_KEY)
    assert result.success

    deals = dict(query(url, "SELECT post_id || '/' || model, tco_total FROM deals"))
    assert deals["512301/아이폰 16 프로"] == 450_000 + 109_000 * 6
    assert deals["512288/갤럭시 S25 울트라"] == 800_000 + 89_000 * 6
    assert "512219/갤럭시 S25" in deals and "512219/갤럭시 S25+" in deals  # two offers, two deals
    assert query(url, "SELECT count(*) FROM api_deals_json")[0][0] == len(deals)
    assert query(url, "SELECT count(*) FROM api_reports_daily_json")[0][0] > 0
    latest = [r[0] for r in query(url, "SELECT report FROM api_reports_daily_latest_json")]
    assert {"model": "아이폰 16 프로", "capacity": "256GB", "n": 1}.items() <= latest[
        [r["model"] for r in latest].index("아이폰 16 프로")
    ].items()
    processed = query(url, "SELECT posts, deals, quarantined, processed_at IS NOT NULL FROM crawl_files")
    assert processed == [(13, len(deals), 2, True)]

    raw = materialization_metadata(result, "ss_raw_posts")
    assert raw["rejected"] == {"missing_post_id": 1} and raw["duplicate_post_ids_in_file"] == 1
    llm = materialization_metadata(result, "ss_extracted_llm")
    assert llm["extraction_mode"] == "rules_only"


def test_reprocessing_the_same_partition_changes_nothing(ss_env, instance):
    url = ss_env["postgres_url"]
    copy_sample(ss_env["crawl"])
    run_setup(instance)
    run_ingest(instance, SAMPLE_KEY)
    snapshot = "SELECT id, deal_hash, parsed_at, tco_total FROM deals ORDER BY id"
    aggregates = "SELECT * FROM aggregates_daily ORDER BY model, capacity, ts"
    processed = "SELECT * FROM crawl_files"
    before = [query(url, q) for q in (snapshot, aggregates, processed)]
    result = run_ingest(instance, SAMPLE_KEY)
    assert materialization_metadata(result, "ss_deals_upsert")["upserted_or_changed"] == 0
    assert [query(url, q) for q in (snapshot, aggregates, processed)] == before


def test_a_post_without_comments_is_extracted_from_its_title_and_content(ss_env, instance):
    copy_sample(ss_env["crawl"])
    run_setup(instance)
    run_ingest(instance, SAMPLE_KEY)
    rows = query(ss_env["postgres_url"], "SELECT model, carrier, upfront FROM deals WHERE post_id = '512270'")
    assert rows == [("갤럭시 Z 폴드 7", "LGU+", 0)]


def test_posts_that_are_not_deals_are_counted_with_their_reason_not_dropped(ss_env, instance):
    url = ss_env["postgres_url"]
    copy_sample(ss_env["crawl"])
    run_setup(instance)
    result = run_ingest(instance, SAMPLE_KEY)
    rules = materialization_metadata(result, "ss_extracted_rules_based")
    assert rules["filtered"] == {"no_carrier_no_model": 2, "no_carrier": 1}
    assert dict(query(url, "SELECT post_id, reason FROM deal_quarantine")) == {
        "512240": "non_deal",
        "512266": "non_deal",
    }
    filtered = query(url, "SELECT post_id FROM extracted_rules WHERE NOT prefilter_passed ORDER BY 1")
    assert [r[0] for r in filtered] == ["512160", "512180", "512255"]  # 512255 is the 마스크 post


def test_ingest_refuses_to_run_without_a_dictionary(ss_env, instance):
    copy_sample(ss_env["crawl"])
    result = run_ingest(instance, SAMPLE_KEY, raise_on_error=False)
    assert not result.success
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    assert "ss_seed_dictionary_data" in failure.event_specific_data.error.message


def test_a_reseeded_dictionary_is_used_by_the_next_run_without_a_restart(ss_env, instance):
    url = ss_env["postgres_url"]
    copy_sample(ss_env["crawl"])
    run_setup(instance)
    defs = definitions()
    run_ingest(instance, SAMPLE_KEY, defs)
    assert query(url, "SELECT count(*) FROM deals WHERE post_id = '512180'")[0][0] == 0
    # An operator adds an alias: '서비스센터' posts now name a carrier (for the test only).
    import psycopg

    with psycopg.connect(url) as conn:
        conn.execute("""UPDATE carriers SET aliases = aliases || '["서비스센터"]' WHERE name = 'KT'""")
    run_ingest(instance, SAMPLE_KEY, defs)  # same process, same Definitions object
    assert query(url, "SELECT filtered_reason FROM extracted_rules WHERE post_id = '512180'") == [(None,)]


def test_the_bootstrap_keeps_existing_deals(ss_env, instance):
    url = ss_env["postgres_url"]
    copy_sample(ss_env["crawl"])
    run_setup(instance)
    run_ingest(instance, SAMPLE_KEY)
    count = query(url, "SELECT count(*) FROM deals")[0][0]
    run_setup(instance)
    assert query(url, "SELECT count(*) FROM deals")[0][0] == count > 0
    assert query(url, "SELECT count(*) FROM carriers")[0][0] == 5


def test_seeding_the_dictionary_twice_changes_nothing(ss_env, instance):
    run_setup(instance)
    second = run_setup(instance)
    assert materialization_metadata(second, "ss_seed_dictionary_data")["rows_inserted_or_changed"] == 0
    assert query(ss_env["postgres_url"], "SELECT count(*) FROM phone_models")[0][0] == 37


def test_the_same_post_in_two_crawl_files_is_one_deal(ss_env, instance):
    url = ss_env["postgres_url"]
    copy_sample(ss_env["crawl"])
    later = copy_sample(ss_env["crawl"], "ppomppu_phone_2025-11-20_17-30-00.json")
    run_setup(instance)
    run_ingest(instance, SAMPLE_KEY)
    deals = query(url, "SELECT id, deal_hash FROM deals ORDER BY id")
    run_ingest(instance, later.stem)
    assert query(url, "SELECT id, deal_hash FROM deals ORDER BY id") == deals
    assert query(url, "SELECT count(*) FROM crawl_files WHERE processed_at IS NOT NULL")[0][0] == 2


def test_a_crawl_file_removed_from_the_folder_takes_its_partition_with_it(ss_env, instance):
    run_setup(instance)
    path = copy_sample(ss_env["crawl"])
    first = _sensor(instance)
    instance.add_dynamic_partitions("ss_crawl_files", [SAMPLE_KEY])
    path.unlink()
    tick = _sensor(instance, first.cursor)
    assert tick.run_requests == []
    assert [r.partition_keys for r in tick.dynamic_partitions_requests] == [[SAMPLE_KEY]]
    assert type(tick.dynamic_partitions_requests[0]).__name__ == "DeleteDynamicPartitionsRequest"
