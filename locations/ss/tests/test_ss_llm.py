"""LLM extraction against a local OpenAI-compatible server: schema, merge, quarantine, retries."""

from __future__ import annotations

import dagster as dg
import pytest
from dag_shared.testing_chat_server import ChatServer
from dag_ss.defs.resources import SsLlmResource
from dag_ss.lib.llm_schema import merge
from openai_server import deal_answer, schema_of
from ss_runs import definitions, materialization_metadata, run_ingest, run_setup

from conftest import SAMPLE_KEY, copy_sample, query


@pytest.fixture
def instance():
    with dg.DagsterInstance.ephemeral() as instance:
        yield instance


def _check(result, name):
    evaluations = [
        e.event_specific_data for e in result.all_events if e.event_type_value == "ASSET_CHECK_EVALUATION"
    ]
    return next(e for e in evaluations if e.check_name == name)


def test_the_request_carries_the_dictionarys_allowed_lists_and_the_model_from_the_environment(
    ss_env, instance, monkeypatch
):
    with ChatServer(
        lambda body: (200, deal_answer(model="아이폰 16", carrier="SKT", store="강남 성지"))
    ) as server:
        monkeypatch.setenv("LLM_BASE_URL", server.base_url)
        monkeypatch.setenv("LLM_API_KEY", "test-key")
        monkeypatch.setenv("LLM_MODEL", "local-deal-model")
        copy_sample(ss_env["crawl"])
        run_setup(instance)
        result = run_ingest(instance, SAMPLE_KEY)
    assert result.success
    body = server.requests[0]
    assert body["model"] == "local-deal-model" and body["temperature"] == 0
    assert server.auth[0] == "Bearer test-key"
    response_format = body["response_format"]
    assert response_format["type"] == "json_schema"
    assert (
        response_format["json_schema"]["name"] == "ss_deal_schema"
        and response_format["json_schema"]["strict"]
    )
    deal = schema_of(body)
    assert deal["properties"]["carrier"]["enum"] == ["SKT", "KT", "LGU+", "MVNO", "자급제"]
    assert len(deal["properties"]["model"]["enum"]) == 37 + 1  # the dictionary's models and 미상
    assert (
        "허용 모델:" in body["messages"][0]["content"] and "[COMMENTS_OP]" in body["messages"][1]["content"]
    )
    metadata = materialization_metadata(result, "ss_extracted_llm")
    assert metadata["extraction_mode"] == "llm" and metadata["llm_effective"] == len(server.requests)
    # The answer fills what the rules left empty; the rules' own values stay.
    assert query(ss_env["postgres_url"], "SELECT DISTINCT store, extraction FROM deals") == [
        ("강남 성지", "llm")
    ]
    assert query(ss_env["postgres_url"], "SELECT model FROM deals WHERE post_id = '512190'") == [
        ("아이폰 16 프로 맥스",)
    ]


def _ingest_with_one_attempt(server: ChatServer, ss_env, instance) -> dg.ExecuteInProcessResult:
    """The sample crawl ingested with the LLM step pointed at `server`, one attempt per request."""
    llm = SsLlmResource(base_url=server.base_url, api_key="k", model="m", attempts=1)
    copy_sample(ss_env["crawl"])
    defs = definitions(ss_llm=llm)
    run_setup(instance, defs)
    return run_ingest(instance, SAMPLE_KEY, defs)


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        ("죄송합니다, 도와드릴 수 없습니다", "not JSON"),
        (deal_answer(model="아이폰 99", carrier="SKT"), "model '아이폰 99' is not in the dictionary"),
        (
            deal_answer(model="아이폰 16", carrier="세븐모바일"),
            "carrier '세븐모바일' is not in the dictionary",
        ),
        (deal_answer(model="아이폰 16", carrier="SKT", upfront="45만"), "upfront is '45만', not an integer"),
    ],
)
def test_an_invalid_answer_is_quarantined_with_its_reason_and_fails_the_check(
    ss_env, instance, reply, reason
):
    with ChatServer(lambda body: (200, reply)) as server:
        result = _ingest_with_one_attempt(server, ss_env, instance)
    assert result.success
    called = len(server.requests)
    reasons = query(
        ss_env["postgres_url"], "SELECT DISTINCT reason FROM deal_quarantine WHERE reason LIKE 'llm%'"
    )
    assert len(reasons) == 1 and reason in reasons[0][0]
    assert (
        query(ss_env["postgres_url"], "SELECT count(*) FROM deal_quarantine WHERE reason LIKE 'llm%'")[0][0]
        == called
    )
    assert query(ss_env["postgres_url"], "SELECT count(*) FROM deals")[0][0] == 0
    check = _check(result, "ss_extracted_llm_answers_valid")
    assert not check.passed and check.metadata["invalid_answers"].value == called
    deals = materialization_metadata(result, "ss_deals_upsert")
    assert deals["quarantine_reasons"]["llm_invalid_answer"] == called


def test_a_failing_endpoint_is_retried_by_dagster_and_then_quarantined_never_passed_through(ss_env, instance):
    with ChatServer(lambda body: (500, "model crashed")) as server:
        result = _ingest_with_one_attempt(server, ss_env, instance)
    assert result.success
    restarts = [e for e in result.all_events if e.event_type_value == "STEP_RESTARTED"]
    assert len(restarts) == 2
    metadata = materialization_metadata(result, "ss_extracted_llm")
    assert metadata["attempt"] == 3 and metadata["statuses"]["failed"] > 0
    rows = query(ss_env["postgres_url"], "SELECT reason FROM deal_quarantine WHERE reason LIKE 'llm_error%'")
    assert len(rows) == metadata["statuses"]["failed"] and "InternalServerError" in rows[0][0]
    assert query(ss_env["postgres_url"], "SELECT count(*) FROM deals")[0][0] == 0


def test_debug_dumps_are_off_by_default_and_written_when_enabled(ss_env, instance, monkeypatch, tmp_path):
    answer = deal_answer(model="아이폰 16", carrier="SKT")
    copy_sample(ss_env["crawl"])
    with ChatServer(lambda body: (200, answer)) as server:
        defs = definitions(ss_llm=SsLlmResource(base_url=server.base_url, api_key="k", model="m"))
        run_setup(instance, defs)
        run_ingest(instance, SAMPLE_KEY, defs)
        assert not (ss_env["data_dir"] / "ss" / "llm_debug").exists()
        monkeypatch.setenv("SS_LLM_LOG_FULL", "1")
        monkeypatch.setenv("SS_LLM_LOG_DIR", str(tmp_path / "dumps"))
        run_ingest(instance, SAMPLE_KEY, defs)
    assert len(list((tmp_path / "dumps").glob("llm_*.json"))) > 0


def test_without_an_endpoint_the_extraction_is_rules_only_and_says_so(ss_env, instance):
    copy_sample(ss_env["crawl"])
    run_setup(instance)
    result = run_ingest(instance, SAMPLE_KEY)
    metadata = materialization_metadata(result, "ss_extracted_llm")
    assert metadata["extraction_mode"] == "rules_only" and metadata["statuses"]["rules_only"] > 0
    assert _check(result, "ss_extracted_llm_answers_valid").passed


def test_unknown_values_are_treated_as_empty_when_merging():
    merged = merge(
        {"model": "미상", "upfront": 0, "carrier": "SKT", "city": "서울"},
        {"model": "아이폰 16", "upfront": 450_000, "city": "부산", "carrier": "자급제"},
    )
    assert merged == {"model": "아이폰 16", "upfront": 450_000, "carrier": "SKT", "city": "서울"}
    assert merge({"carrier": None}, {"carrier": "자급제", "model": "미상"})["carrier"] == "MVNO"


def test_the_score_summary_reports_quantiles_and_a_histogram():
    from dag_ss.lib.llm_stage import score_summary

    summary = score_summary([0.0, 0.1, 0.5, 0.65, 0.95, 1.0])
    assert (summary["n"], summary["min"], summary["max"]) == (6, 0.0, 1.0)
    assert summary["histogram_0_to_1_by_0.2"] == [2, 0, 1, 1, 2]
    assert score_summary([]) == {"n": 0}
