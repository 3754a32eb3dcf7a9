"""Test helpers: run the location's crawl asset, the sensor and the ingest as the daemon would."""

from __future__ import annotations

import json
from pathlib import Path

import dagster as dg
import psycopg
from dag_is.defs.is_crawl_ppomppu_hot import is_crawl_ppomppu_hot
from dag_is.defs.is_output_data_sensor import is_output_data_sensor
from dag_is.defs.is_posts import is_posts
from dag_is.defs.resources import IsCrawlResource
from dag_shared.resources.postgres import PostgresResource

TABLES = (
    "posts", "post_versions", "post_comments", "post_images", "post_embeds", "post_snapshots", "sites",
    "post_signatures", "post_enrichment", "media_enrichment_jobs",
)  # fmt: skip


def crawl(config: dict | None = None, asset=is_crawl_ppomppu_hot) -> dg.ExecuteInProcessResult:
    name = asset.key.to_user_string()
    return dg.materialize(
        [asset],
        resources={"is_crawl": IsCrawlResource(source="local")},
        run_config={"ops": {name: {"config": config or {}}}},
    )


class SensorTicks:
    """Evaluates the sensor tick after tick, carrying its cursor like the daemon."""

    def __init__(self) -> None:
        self.instance = dg.DagsterInstance.ephemeral()
        self.cursor: str | None = None

    def tick(self) -> list[dg.RunRequest]:
        context = dg.build_sensor_context(instance=self.instance, cursor=self.cursor)
        result = is_output_data_sensor(context)
        self.cursor = context.cursor
        return list(result) if isinstance(result, list) else []


def ingest(postgres_url: str, request_or_path, raise_on_error: bool = True) -> dg.ExecuteInProcessResult:
    if isinstance(request_or_path, dg.RunRequest):
        run_config = request_or_path.run_config
    else:
        run_config = {"ops": {"is_posts": {"config": {"file_path": str(request_or_path)}}}}
    return dg.materialize(
        [is_posts],
        resources={"is_postgres": PostgresResource(url=postgres_url)},
        run_config=run_config,
        raise_on_error=raise_on_error,
    )


def counts(postgres_url: str) -> dict[str, int]:
    with psycopg.connect(postgres_url) as conn:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}


def query(postgres_url: str, sql: str, params=None) -> list[tuple]:
    with psycopg.connect(postgres_url) as conn:
        return conn.execute(sql, params).fetchall()


def write_file(path: Path, posts: list[dict], crawled_at: str = "2026-11-29T06:00:00Z") -> Path:
    """A crawl file in the crawler's shape (one-element array) with these posts."""
    meta = {"site": posts[0]["site"] if posts else "ppomppu", "board": posts[0]["board"] if posts else "hot",
            "crawled_at": crawled_at, "crawler_version": "test", "total_posts": len(posts), "pages_crawled": 1,
            "crawl_config": {"mode": "interval"}}  # fmt: skip
    path.write_text(json.dumps([{"meta": meta, "posts": posts}], ensure_ascii=False), encoding="utf-8")
    return path


def post(post_id: str, **fields) -> dict:
    """A post as the crawler writes it (defaults: a short text, one image, no comments)."""
    from dag_shared.crawler.schema import md5_hex, post_key

    content = fields.pop("content", f"본문 {post_id} 내용입니다 sample text")
    base = {
        "post_id": post_id, "id": post_key("ppomppu", "hot", post_id), "url": f"https://www.ppomppu.co.kr/zboard/view.php?id=freeboard&no={post_id}",
        "site": "ppomppu", "board": "hot", "title": f"제목 {post_id}", "author": "글쓴이", "avatar": None,
        "timestamp": "2026-11-29T05:00:00Z", "view_count": 10, "like_count": 1, "dislike_count": 0,
        "category": "freeboard", "tags": [], "content": content, "contentHtml": f"<p>{content}</p>",
        "content_hash": md5_hex(content), "images": [f"https://cdn.example.com/{post_id}/a.jpg"],
        "embeddedContent": [], "crawledAt": "2026-11-29T06:00:00Z", "comments": [], "isDeleted": False,
    }  # fmt: skip
    base.update(fields)
    return base
