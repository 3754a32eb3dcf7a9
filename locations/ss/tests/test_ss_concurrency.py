"""Several crawl files processed at the same time share deals and aggregates without errors or duplicates."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import psycopg
from dag_ss.lib import pipeline
from dag_ss.lib.dictionary import ensure_dictionary_schema, seed_rows, upsert_terms
from dag_ss.lib.dictionary_seed import CARRIERS, MODELS
from dag_ss.lib.llm_stage import Thresholds

from conftest import SAMPLE_FILE, query


def _ingest(url: str, key: str, path) -> None:
    """The ingest job's steps for one crawl file, each in its own transaction, as the assets run them."""
    from dag_ss.lib.schema import ensure_schema

    steps = [
        lambda conn: pipeline.load_raw(conn, key, path),
        lambda conn: pipeline.normalize(conn, key, 0.7),
        lambda conn: pipeline.extract_with_rules(conn, key, Thresholds()),
        lambda conn: pipeline.extract_with_llm(conn, key, None, Thresholds(), record_failures=True),
        lambda conn: pipeline.upsert_deals(conn, key),
        lambda conn: pipeline.aggregate(conn, key, date(2025, 11, 20)),
    ]
    with psycopg.connect(url) as conn:
        for step in steps:
            with conn.transaction():
                ensure_schema(conn)
                step(conn)


def test_eight_crawl_files_ingested_at_once_give_each_deal_once(postgres_url, tmp_path):
    with psycopg.connect(postgres_url) as conn:
        ensure_dictionary_schema(conn)
        upsert_terms(conn, "carriers", seed_rows(CARRIERS))
        upsert_terms(conn, "phone_models", seed_rows(MODELS))
    document = json.loads(SAMPLE_FILE.read_text(encoding="utf-8"))
    paths = {}
    for index in range(8):
        # Every file repeats the sample's posts; each also has one post of its own.
        posts = [
            *document[0]["posts"],
            {
                **document[0]["posts"][0],
                "post_id": f"9{index}",
                "url": f"https://www.ppomppu.co.kr/zboard/view.php?id=phone&no=9{index}",
            },
        ]
        path = tmp_path / f"ppomppu_phone_2025-11-20_0{index}-00-00.json"
        path.write_text(
            json.dumps([{"meta": document[0]["meta"], "posts": posts}], ensure_ascii=False), encoding="utf-8"
        )
        paths[path.stem] = path
    with ThreadPoolExecutor(max_workers=8) as pool:
        for future in [pool.submit(_ingest, postgres_url, key, path) for key, path in paths.items()]:
            future.result()
    assert query(postgres_url, "SELECT count(*) FROM deals")[0][0] == 9 + 8
    assert query(postgres_url, "SELECT count(*), count(DISTINCT deal_hash) FROM deals")[0] == (17, 17)
    assert query(postgres_url, "SELECT n FROM aggregates_daily WHERE model = '아이폰 16 프로'") == [(9,)]
    assert query(postgres_url, "SELECT count(*) FROM crawl_files WHERE processed_at IS NOT NULL")[0][0] == 8
