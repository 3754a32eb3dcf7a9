"""Personal data in IS (guidelines §16): ingesting a crawl file audits the PII assets and masks their previews."""

import dagster as dg
import pytest
from dag_is.definitions import defs
from dag_shared import pii
from dag_shared.embedded_postgres import drop_database, ensure_database
from dag_shared.resources.postgres import PostgresResource
from helpers import post, write_file


@pytest.fixture
def instance(postgres_server_url):
    """An instance on Postgres storage, as the stack's (the audit table lives in its database)."""
    name = "dag_test_is_pii_instance"
    url = ensure_database(postgres_server_url, name)
    try:
        with dg.instance_for_test(overrides={"storage": {"postgres": {"postgres_url": url}}}) as instance:
            yield instance
    finally:
        drop_database(postgres_server_url, name)


def test_ingest_audits_posts_and_comments_and_masks_their_authors(data_dir, postgres_url, instance, tmp_path):
    comments = [
        {"id": "c1", "author": "홍길동", "avatar": "https://cdn.example.com/a.png", "content": "첫 댓글입니다",
         "timestamp": "2026-11-29T05:10:00Z", "isReply": False, "depth": 0, "parentId": None, "replies": [],
         "likeCount": 0, "dislikeCount": 0, "reactionCount": 0, "raw": "첫 댓글입니다", "html": "", "isDeleted": False},
    ]  # fmt: skip
    path = write_file(tmp_path / "ppomppu_hot.json", [post("9870101", author="김철수", comments=comments)])
    job = defs.resolve_job_def("is_ingest_job")
    result = job.execute_in_process(
        instance=instance,
        run_config={"ops": {"is_posts": {"config": {"file_path": str(path)}}}},
        resources={"is_postgres": PostgresResource(url=postgres_url)},
    )
    assert result.success
    audited = {row["asset_key"]: row for row in pii.read_audit_rows(instance)}
    assert set(audited) == {"is_posts", "is_post_comments"}
    assert audited["is_post_comments"]["run_id"] == result.run_id
    assert audited["is_post_comments"]["rows_touched"] == 1
    assert "author" in audited["is_posts"]["columns"] and "content" in audited["is_post_comments"]["columns"]
    event = instance.get_latest_materialization_event(dg.AssetKey("is_post_comments"))
    metadata = event.asset_materialization.metadata
    assert "홍길동" not in metadata["preview"].md_str and "***" in metadata["preview"].md_str
    schema = metadata["dagster/column_schema"].schema
    assert {c.name for c in schema.columns if c.tags.get("pii") == "true"} >= {"author", "avatar", "content"}
    for key in ("execution_time_seconds", "peak_memory_mb"):
        assert key in metadata
