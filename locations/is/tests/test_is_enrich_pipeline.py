"""The enrichment chain on the stand-in crawl, local methods only, as the local stack runs it."""

import dagster as dg
from dag_is.defs.is_fusion_worker import is_fusion_worker
from dag_is.defs.is_image_rollup import is_image_rollup
from dag_is.defs.is_promote_p0_from_frontpage import is_promote_p0_from_frontpage
from dag_is.defs.is_text_only_enqueue import is_text_only_enqueue
from dag_is.defs.is_upgrade_to_image_llm import is_upgrade_to_image_llm
from dag_is.defs.is_vlm_worker import is_vlm_worker
from dag_is.defs.jobs import IS_ENRICHMENT_ASSETS
from enrich_helpers import rows
from helpers import SensorTicks, crawl, ingest
from test_is_enrich_workers import resources

CHAIN = [
    is_promote_p0_from_frontpage,
    is_text_only_enqueue,
    is_vlm_worker,
    is_image_rollup,
    is_upgrade_to_image_llm,
    is_fusion_worker,
]


def test_after_crawl_and_ingest_the_local_enrichment_fills_its_tables_and_a_rerun_changes_nothing(
    data_dir, postgres_url, monkeypatch
):
    assert [a.key.to_user_string() for a in CHAIN] == IS_ENRICHMENT_ASSETS
    crawl()
    for request in SensorTicks().tick():
        assert ingest(postgres_url, request).success
    # offline like the local stack: the boards' image CDNs cannot be reached
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    result = dg.materialize(CHAIN, resources=resources(postgres_url))
    assert result.success
    fused = rows(
        postgres_url,
        """SELECT p.post_id, e.fused_model, e.fused_version, e.fused_categories, e.fused_keywords
           FROM posts p JOIN post_enrichment e ON e.post_id = p.id WHERE NOT p.is_deleted ORDER BY p.post_id""",
    )
    assert len(fused) == 6
    for post_id, model, version, categories, keywords in fused:
        assert (model, version) == ("local", "fusion:pvT"), post_id
        assert 1 <= len(categories) <= 2 and len(keywords) <= 8, post_id
    # a post of only contentless words ("그저께 잡담") may have none; the others have some
    assert sum(1 for *_, keywords in fused if keywords) >= 3
    # at most the first and last image of a post per claim: a middle image waits for the next run
    media = rows(postgres_url, "SELECT status, last_error FROM media_enrichment_jobs ORDER BY 1")
    assert [s for s, _ in media].count("queued") == 1
    assert all(error.startswith("img_fetch: ConnectError") for status, error in media if status == "error")
    statuses = dict(rows(postgres_url, "SELECT status, count(*) FROM fusion_jobs GROUP BY 1"))
    assert statuses == {"done": 6}
    before = rows(postgres_url, "SELECT post_id, fuse_rev, fused_at FROM post_enrichment ORDER BY 1")

    again = dg.materialize(CHAIN, resources=resources(postgres_url))
    assert again.success
    assert rows(postgres_url, "SELECT post_id, fuse_rev, fused_at FROM post_enrichment ORDER BY 1") == before
    fusion = again.asset_materializations_for_node("is_fusion_worker")[0].metadata
    assert fusion["picked"].value == 0
    assert {s for (s,) in rows(postgres_url, "SELECT status FROM media_enrichment_jobs")} == {"error"}
