"""The enrichment queues and workers against a real Postgres and a local OpenAI-compatible server."""

import json
import os
import signal
import subprocess
import sys
import time

import dagster as dg
import psycopg
import pytest
from dag_is.defs.enrichment_resources import IsEnrichmentResource
from dag_is.defs.is_fusion_worker import is_fusion_worker
from dag_is.defs.is_image_rollup import is_image_rollup
from dag_is.defs.is_promote_p0_from_frontpage import is_promote_p0_from_frontpage
from dag_is.defs.is_text_only_enqueue import is_text_only_enqueue
from dag_is.defs.is_upgrade_to_image_llm import is_upgrade_to_image_llm
from dag_is.defs.is_vlm_worker import is_vlm_worker
from dag_is.lib.enrich_fusion import ModelTextMethod, run_fusion_batch
from dag_is.lib.enrich_revs import LOCAL, MODEL, rev_key
from dag_shared.resources.llm import ChatEndpoint, JsonChatClient, OptionalChatModelResource
from dag_shared.resources.postgres import PostgresResource
from dag_shared.testing_chat_server import ChatServer
from enrich_helpers import add_post, rows, text_image, user_document

VALID = json.dumps(
    {"categories": ["IT", "후기"], "keywords": ["아이폰", "배터리", "카메라"]}, ensure_ascii=False
)
VLM_VALID = json.dumps(
    {
        "caption": "휴대폰 화면 캡처",
        "labels": ["screenshot", "Phone", "screenshot"],
        "ocr_lines": ["배터리 성능 100%", "배터리 성능 100%", "iOS 18"],
        "safety": {"nsfw": 0.0012, "violence": 0},
        "objects": [
            {"name": "Phone", "count": 1, "confidence": 0.9},
            {"name": "phone", "count": 1, "confidence": 0.7},
        ],
        "colors": [{"name": "white", "hex": "#FFFFFF", "ratio": 0.8}],
    },
    ensure_ascii=False,
)


def resources(postgres_url, llm_url=None, vlm_url=None, **settings):
    def endpoint(prefix, url):
        if url is None:
            return OptionalChatModelResource(settings_prefix=prefix, base_url="")
        return OptionalChatModelResource(
            settings_prefix=prefix,
            base_url=url,
            api_key="test-key",
            model=f"{prefix.lower()}-test",
            attempts=1,
        )

    return {
        "is_postgres": PostgresResource(url=postgres_url),
        "is_enrichment": IsEnrichmentResource(prompt_ver="pvT", **settings),
        "is_llm": endpoint("LLM", llm_url),
        "is_vlm": endpoint("VLM", vlm_url),
    }


def jobs(url, table="fusion_jobs"):
    key = "rev_key" if table == "fusion_jobs" else "url_hash"
    return {
        (r[0], r[1]): r[2:]
        for r in rows(
            url, f"SELECT post_id, {key}, status, priority, last_error, attempts FROM {table} ORDER BY 1, 2"
        )
    }


def test_fusion_worker_records_good_answers_and_marks_bad_ones_without_losing_the_batch(postgres_url):
    for n, title in enumerate(["좋은 답", "스키마 위반", "JSON 아님", "요청 거부", "또 좋은 답"]):
        add_post(
            postgres_url,
            f"p{n}",
            f'{title} "따옴표" 제목',
            f"본문 {n}",
            timestamp=f"2026-11-29T10:0{n}:00+00",
        )

    def answer(body):
        title = user_document(body)["title"]
        if title.startswith("스키마"):
            return 200, json.dumps({"categories": ["날씨"], "keywords": ["a", "b", "c"]}, ensure_ascii=False)
        if title.startswith("JSON"):
            return 200, "분류: IT"
        if title.startswith("요청"):
            return 400, "context length exceeded"
        return 200, VALID

    with ChatServer(answer) as server:
        res = resources(postgres_url, llm_url=server.base_url)
        result = dg.materialize([is_text_only_enqueue, is_fusion_worker], resources=res)
        assert result.success
    # the user message is a JSON document: quotes in the title survive as data
    assert {user_document(b)["title"] for b in server.requests} >= {'좋은 답 "따옴표" 제목'}
    assert server.requests[0]["response_format"]["json_schema"]["strict"] is True
    state = jobs(postgres_url)
    assert len(state) == 5 and not [k for k, v in state.items() if v[0] in ("queued", "processing")]
    errors = {k[0]: v[2] for k, v in state.items() if v[0] == "error"}
    assert set(errors) == {"p1", "p2", "p3"}
    assert errors["p1"].startswith("answer: schema: categories/0")
    assert errors["p2"].startswith("answer: not JSON")
    assert "HTTP 400" in errors["p3"]
    fused = rows(
        postgres_url,
        "SELECT post_id, fused_categories, fused_keywords, fused_model, fuse_rev FROM post_enrichment WHERE fused_at IS NOT NULL ORDER BY 1",
    )
    assert [r[0] for r in fused] == ["p0", "p4"]
    text_rev = rows(postgres_url, "SELECT text_rev FROM post_enrichment WHERE post_id = 'p0'")[0][0]
    assert fused[0][1:] == (
        ["IT", "후기"],
        ["아이폰", "배터리", "카메라"],
        "llm-test",
        rev_key(text_rev, None, "pvT", MODEL),
    )
    metadata = result.asset_materializations_for_node("is_fusion_worker")[0].metadata
    assert metadata["failed"].value == 3 and metadata["done"].value == 2

    # re-running enqueues nothing new: errored jobs wait for a promotion, done ones stay done
    with ChatServer(answer) as server:
        again = dg.materialize(
            [is_text_only_enqueue], resources=resources(postgres_url, llm_url=server.base_url)
        )
    assert (
        again.asset_materializations_for_node("is_text_only_enqueue")[0].metadata["queued_immediate"].value
        == 0
    )


def test_an_endpoint_outage_returns_the_batch_to_the_queue_and_fails_for_a_retry(postgres_url):
    for n in range(3):
        add_post(postgres_url, f"p{n}", f"제목 {n}", "본문")
    with ChatServer(lambda body: (503, "overloaded")) as server:
        dg.materialize([is_text_only_enqueue], resources=resources(postgres_url, llm_url=server.base_url))
        client = JsonChatClient(ChatEndpoint("LLM", server.base_url, "k", "llm-test"), attempts=2)
        postgres = PostgresResource(url=postgres_url)
        try:
            report = run_fusion_batch(postgres, ModelTextMethod(client), "pvT", "w1", 10, 900, 0)
        finally:
            postgres.close()
    assert report.unavailable and "InternalServerError" in report.unavailable
    assert report.done == 0 and report.released == 3 and not report.failed
    assert len(server.requests) == 2  # the client retried the transient error once, then gave up
    assert {v[0] for v in jobs(postgres_url).values()} == {"queued"}
    # the endpoint is back: the same jobs complete
    with ChatServer(lambda body: (200, VALID)) as server:
        result = dg.materialize(
            [is_fusion_worker], resources=resources(postgres_url, llm_url=server.base_url)
        )
    assert result.success
    assert {v[0] for v in jobs(postgres_url).values()} == {"done"}


def test_the_asset_fails_into_its_retry_policy_on_an_outage(postgres_url):
    add_post(postgres_url, "p0", "제목", "본문")
    assert is_fusion_worker.op.retry_policy is not None and is_fusion_worker.op.retry_policy.max_retries >= 1
    with ChatServer(lambda body: (500, "down")) as server:
        res = resources(postgres_url, llm_url=server.base_url)
        dg.materialize([is_text_only_enqueue], resources=res)
        # released jobs are due again only after an hour here, so the retry finds nothing to do
        res["is_enrichment"] = IsEnrichmentResource(prompt_ver="pvT", retry_delay_seconds=3600)
        result = dg.materialize([is_fusion_worker], resources=res, raise_on_error=False)
    retried = [e for e in result.all_events if e.event_type_value == "STEP_UP_FOR_RETRY"]
    assert retried and "InternalServerError" in str(retried[0].event_specific_data.error)
    [(status, _, last_error, attempts)] = jobs(postgres_url).values()
    assert status == "queued" and last_error.startswith("model unavailable") and attempts == 1


KILLED_WORKER = """
import sys
from dag_is.lib.enrich_fusion import ModelTextMethod, run_fusion_batch
from dag_shared.resources.llm import ChatEndpoint, JsonChatClient
from dag_shared.resources.postgres import PostgresResource
client = JsonChatClient(ChatEndpoint("LLM", sys.argv[2], "k", "llm-test"), timeout_seconds=600, attempts=1)
run_fusion_batch(PostgresResource(url=sys.argv[1]), ModelTextMethod(client), "pvT", "doomed", 10, 900, 0)
"""


def test_a_worker_killed_mid_batch_leaves_no_job_in_processing_after_the_lease(postgres_url):
    for n in range(4):
        add_post(postgres_url, f"p{n}", f"제목 {n}", "본문", timestamp=f"2026-11-29T10:0{n}:00+00")

    def answer(body):
        if len(server.requests) >= 2:
            time.sleep(60)  # the second call hangs until the worker is killed
        return 200, VALID

    with ChatServer(answer) as server:
        dg.materialize([is_text_only_enqueue], resources=resources(postgres_url, llm_url=server.base_url))
        worker = subprocess.Popen([sys.executable, "-c", KILLED_WORKER, postgres_url, server.base_url])
        try:
            deadline = time.monotonic() + 60
            while len(server.requests) < 2 and time.monotonic() < deadline:
                time.sleep(0.1)
            assert len(server.requests) >= 2
        finally:
            os.kill(worker.pid, signal.SIGKILL)
            worker.wait()
    state = jobs(postgres_url)
    assert sorted(v[0] for v in state.values()) == ["done", "processing", "processing", "processing"]
    # within the lease nobody takes them; once it expired the next worker reaps and finishes them
    with ChatServer(lambda body: (200, VALID)) as server:
        res = resources(postgres_url, llm_url=server.base_url)
        dg.materialize([is_fusion_worker], resources=res)
        assert sorted(v[0] for v in jobs(postgres_url).values()).count("processing") == 3
        time.sleep(1.5)
        res["is_enrichment"] = IsEnrichmentResource(prompt_ver="pvT", lease_minutes=1 / 60)
        result = dg.materialize([is_fusion_worker], resources=res)
    metadata = result.asset_materializations_for_node("is_fusion_worker")[0].metadata
    assert metadata["reaped"].value == 3 and metadata["done"].value == 3
    state = jobs(postgres_url)
    assert {v[0] for v in state.values()} == {"done"}
    assert rows(postgres_url, "SELECT count(*) FROM post_enrichment WHERE fused_at IS NOT NULL")[0][0] == 4


def test_image_result_to_rollup_to_queued_image_job_to_fused_post(postgres_url):
    with ChatServer(lambda body: (200, VLM_VALID)) as server:
        server.images["shot.png"] = text_image(["배터리 성능 100%"])
        image_url = f"{server.root}/img/shot.png"
        add_post(postgres_url, "img", "아이폰 배터리 질문", "사진 첨부합니다", images=[image_url])
        add_post(postgres_url, "txt", "그냥 글", "본문")
        res = resources(postgres_url, vlm_url=server.base_url)
        # text-only jobs first (the VLM queue is not empty, so nothing is held)
        first = dg.materialize([is_text_only_enqueue], resources=res)
        assert (
            first.asset_materializations_for_node("is_text_only_enqueue")[0].metadata["queued_hold"].value
            == 0
        )
        result = dg.materialize([is_vlm_worker, is_image_rollup, is_upgrade_to_image_llm], resources=res)
    assert result.success
    vlm = result.asset_materializations_for_node("is_vlm_worker")[0].metadata
    assert vlm["changed_post_ids"].value == ["img"] and vlm["method"].value == "vlm-test"
    image_request = server.requests[0]["messages"][1]["content"][1]["image_url"]["url"]
    assert image_request.startswith("data:image/png;base64,")
    rollup = rows(
        postgres_url,
        "SELECT text_rev, image_rev, image_summary, image_keywords, image_ocr, image_objects FROM post_enrichment WHERE post_id = 'img'",
    )[0]
    text_rev, image_rev = rollup[0], rollup[1]
    assert image_rev and rollup[2] == "휴대폰 화면 캡처" and rollup[3] == ["screenshot", "phone"]
    assert rollup[4] == "배터리 성능 100%\niOS 18"
    assert rollup[5] == [{"name": "phone", "count": 2, "confidence": 0.8}]
    state = jobs(postgres_url)
    text_only, image_key = rev_key(text_rev, None, "pvT", LOCAL), rev_key(text_rev, image_rev, "pvT", LOCAL)
    assert (
        state[("img", text_only)][0] == "canceled" and "superseded_by_image" in state[("img", text_only)][2]
    )
    assert state[("img", image_key)][:2] == ("queued", "P0")
    # the local fusion method then fuses the post under the image key, with the OCR text at hand
    fused = dg.materialize([is_fusion_worker], resources=res)
    assert fused.success
    enriched = rows(
        postgres_url,
        "SELECT fuse_rev, fused_model, fused_categories, fused_keywords FROM post_enrichment WHERE post_id = 'img'",
    )[0]
    assert enriched[0] == image_key and enriched[1] == "local"
    assert "질문" in enriched[2] and "배터리" in enriched[3]
    # nothing left to do: a second pass changes nothing
    again = dg.materialize([is_text_only_enqueue, is_image_rollup, is_upgrade_to_image_llm], resources=res)
    assert (
        again.asset_materializations_for_node("is_upgrade_to_image_llm")[0].metadata["rows_written"].value
        == 0
    )
    assert again.asset_materializations_for_node("is_image_rollup")[0].metadata["rolled_up"].value == 0


def test_vlm_bad_answers_and_unreachable_images_mark_their_jobs(postgres_url):
    def answer(body):
        return 200, json.dumps({"caption": "x", "labels": []})  # required keys missing

    with ChatServer(answer) as server:
        server.images["a.png"] = text_image(["A"])
        add_post(
            postgres_url,
            "a",
            "글",
            "본문",
            images=[f"{server.root}/img/a.png", f"{server.root}/img/missing.png"],
        )
        server.images["broken.png"] = b"\x89PNG\r\n\x1a\n not really a png"
        add_post(postgres_url, "b", "글", "본문", images=[f"{server.root}/img/broken.png"])
        result = dg.materialize([is_vlm_worker], resources=resources(postgres_url, vlm_url=server.base_url))
    assert result.success
    reasons = sorted(v[2] for v in jobs(postgres_url, "media_enrichment_jobs").values())
    assert reasons[0].startswith("img_decode: ") and reasons[1].startswith("img_fetch: HTTP 404")
    assert reasons[2].startswith("parse_json: schema:")
    assert rows(postgres_url, "SELECT count(*) FROM post_image_enrichment")[0][0] == 0


def test_local_image_method_runs_tesseract_and_a_model_supersedes_it_later(postgres_url):
    with ChatServer(lambda body: (200, VLM_VALID)) as server:
        server.images["t.png"] = text_image(["공지사항 안내", "Notice 2026"])
        add_post(postgres_url, "a", "공지", "본문", images=[f"{server.root}/img/t.png"])
        local = dg.materialize([is_vlm_worker], resources=resources(postgres_url))
        assert local.success
        model, ocr, colors = rows(postgres_url, "SELECT model, ocr_lines, colors FROM post_image_enrichment")[
            0
        ]
        assert model == "local" and "공지사항" in " ".join(ocr) and colors[0]["name"] == "white"
        later = dg.materialize([is_vlm_worker], resources=resources(postgres_url, vlm_url=server.base_url))
    assert later.asset_materializations_for_node("is_vlm_worker")[0].metadata["requeued_local"].value == 1
    assert rows(postgres_url, "SELECT model, caption FROM post_image_enrichment")[0] == (
        "vlm-test",
        "휴대폰 화면 캡처",
    )


def test_front_page_posts_jump_to_p0_and_get_missing_jobs(postgres_url):
    add_post(
        postgres_url,
        "front",
        "노출 글",
        "본문",
        images=["https://i.example/1.png", "https://i.example/2.png", "https://i.example/3.png"],
    )
    add_post(postgres_url, "other", "다른 글", "본문", images=["https://i.example/9.png"])
    res = resources(postgres_url)
    dg.materialize([is_promote_p0_from_frontpage], resources=res)  # creates post_rotation
    with psycopg.connect(postgres_url) as conn:
        conn.execute(
            "INSERT INTO post_rotation (post_id, last_shown_at) VALUES ('front', now()), ('other', now() - interval '1 hour')"
        )
        conn.execute(
            "DELETE FROM media_enrichment_jobs WHERE post_id = 'front' AND url_hash = md5('https://i.example/1.png')"
        )
    result = dg.materialize([is_promote_p0_from_frontpage], resources=res)
    metadata = result.asset_materializations_for_node("is_promote_p0_from_frontpage")[0].metadata
    assert metadata["p0_text_inserted"].value == 1 and metadata["p0_media_upgraded"].value == 2
    media = jobs(postgres_url, "media_enrichment_jobs")
    assert {v[1] for k, v in media.items() if k[0] == "front"} == {"P0"}
    assert {v[1] for k, v in media.items() if k[0] == "other"} == {"P1"}
    assert [v[1] for v in jobs(postgres_url).values()] == ["P0"]
    # first and last image of the post by url_hash: the deleted one comes back only if it is one of them
    assert metadata["p0_media_inserted"].value == len({k for k in media if k[0] == "front"}) - 2


def test_text_only_jobs_of_image_posts_wait_for_a_fast_vlm(postgres_url):
    add_post(postgres_url, "img", "이미지 글", "본문", images=["https://i.example/1.png"])
    add_post(postgres_url, "txt", "텍스트 글", "본문")
    with psycopg.connect(postgres_url) as conn:
        conn.execute("UPDATE media_enrichment_jobs SET status = 'done'")  # the VLM queue is empty: ETA 0
    result = dg.materialize([is_text_only_enqueue], resources=resources(postgres_url))
    metadata = result.asset_materializations_for_node("is_text_only_enqueue")[0].metadata
    assert (metadata["queued_immediate"].value, metadata["queued_hold"].value) == (1, 1)
    due = dict(
        rows(postgres_url, "SELECT post_id, next_attempt_at > now() + interval '2 minutes' FROM fusion_jobs")
    )
    assert due == {"img": True, "txt": False}


@pytest.mark.parametrize("prompt_ver", ["", "two words"])
def test_a_malformed_prompt_version_fails_clearly(postgres_url, prompt_ver, monkeypatch):
    monkeypatch.setenv("FUSION_PROMPT_VER", prompt_ver or " ")
    res = resources(postgres_url)
    res["is_enrichment"] = IsEnrichmentResource()
    result = dg.materialize([is_text_only_enqueue], resources=res, raise_on_error=False)
    if prompt_ver:
        assert not result.success
        assert "FUSION_PROMPT_VER" in str(result.failure_data_for_node("is_text_only_enqueue").error)
    else:
        assert result.success  # blank means unset: the default version


def test_an_empty_queue_costs_no_corpus_analysis(postgres_url):
    from dag_is.lib.enrich_fusion import LocalTextMethod

    def corpus():
        raise AssertionError("the IDF corpus was analysed for an empty queue")

    add_post(postgres_url, "p0", "제목", "본문")  # no job queued
    postgres = PostgresResource(url=postgres_url)
    try:
        report = run_fusion_batch(postgres, LocalTextMethod(corpus), "pvT", "w", 10, 900, 0)
    finally:
        postgres.close()
    assert report.picked == 0
