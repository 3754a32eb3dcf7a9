"""Silver assets `is_posts` … `is_post_signatures`: one crawl file ingested in one step and one transaction.

The legacy spec's eight ingest assets (#4–#11: `posts_asset`, `post_versions_asset`,
`post_comments_asset`, `post_images_asset`, `post_embeds_asset`, `post_snapshots_asset`,
`sites_asset`, `post_signatures_asset`) are the eight keys of this multi-asset, so a file lands in
all tables or in none (they were separate steps passing pickled post lists, defect A11-9). The
sensor `is_output_data_sensor` launches it with the file's path; after the commit the file moves to
the processed folder. Each key reports the rows of its table that belong to the file's posts.
"""

from collections.abc import Iterator
from pathlib import Path

import dagster as dg
from dag_shared.metadata import column_schema
from dag_shared.resources.postgres import PostgresResource
from pydantic import Field

from dag_is.lib.tables import TABLE_COLUMNS

# asset key → (table, what the key is, preview query restricted to the file's posts)
INGEST_ASSETS: dict[str, tuple[str, str, str]] = {
    "is_posts": (
        "posts",
        "게시글 (site, post_id 유일; 내용 변경 시 갱신, 조회·추천·댓글 수만 바뀌면 수치만 갱신)",
        (
            "SELECT id, site, board, post_id, title, view_count, like_count, comment_count, is_deleted "
            "FROM posts WHERE id = ANY(%(ids)s) ORDER BY id"
        ),
    ),
    "is_post_versions": (
        "post_versions",
        "게시글 본문 버전 (새 글·본문 변경 시 한 버전)",
        (
            "SELECT post_id, version, content_hash, changed_at FROM post_versions WHERE post_id = ANY(%(ids)s) "
            "ORDER BY post_id, version"
        ),
    ),
    "is_post_comments": (
        "post_comments",
        "댓글 트리 (path, depth, root_id = 스레드의 최상위 댓글)",
        (
            "SELECT id, post_id, parent_id, root_id, path, depth, author FROM post_comments "
            "WHERE post_id = ANY(%(ids)s) ORDER BY post_id, path"
        ),
    ),
    "is_post_images": (
        "post_images",
        "게시글 이미지 (목록에서 사라진 이미지는 삭제) + VLM 대기열(media_enrichment_jobs) 등록",
        "SELECT post_id, url_hash, url FROM post_images WHERE post_id = ANY(%(ids)s) ORDER BY post_id, url_hash",
    ),
    "is_post_embeds": (
        "post_embeds",
        "임베드 (YouTube, X, 동영상, iframe; 사라진 임베드는 삭제) + 이미지형 임베드의 VLM 대기열 등록",
        "SELECT post_id, type, video_id, url FROM post_embeds WHERE post_id = ANY(%(ids)s) ORDER BY post_id, url_hash",
    ),
    "is_post_snapshots": (
        "post_snapshots",
        "크롤 시점별 조회·추천·댓글 수 스냅샷 (게시글 × 크롤 시각당 한 행, 추세 계산의 원자료)",
        (
            'SELECT post_id, "timestamp", view_count, like_count, comment_count FROM post_snapshots '
            'WHERE post_id = ANY(%(ids)s) ORDER BY post_id, "timestamp"'
        ),
    ),
    "is_sites": (
        "sites",
        "사이트·게시판별 마지막 크롤 시각 (사이트·게시판당 한 행)",
        "SELECT id, board, last_crawled_at FROM sites WHERE id = %(site)s AND board = %(board)s",
    ),
    "is_post_signatures": (
        "post_signatures",
        "근접 중복 서명 (SimHash 64, MinHash 128: 본문·이미지·임베드)",
        (
            "SELECT post_id, text_simhash64, image_count, embed_count, computed_at FROM post_signatures "
            "WHERE post_id = ANY(%(ids)s) ORDER BY post_id"
        ),
    ),
}


# Personal data (guidelines §16): authors, avatars and comment texts; the assets of these tables
# carry the pii tags, their previews are masked and every materialization is audited.
PII_COLUMNS: dict[str, tuple[str, ...]] = {
    "posts": ("author", "avatar"),
    "post_comments": ("author", "avatar", "content", "content_html", "raw"),
}
PII_TAGS = {"pii": "true", "access_level": "restricted", "compliance": "pipa"}


class IngestFileConfig(dg.Config):
    file_path: str = Field(description="Absolute path of the crawl file to ingest.")


def _spec(key: str, table: str, what: str) -> dg.AssetSpec:
    columns = TABLE_COLUMNS[table]
    pii = PII_COLUMNS.get(table, ())
    return dg.AssetSpec(
        key,
        group_name="IS",
        kinds={"python", "postgres"},
        tags={
            "data_tier": "silver",
            "domain": "community",
            "source": "is_crawlers",
            **(PII_TAGS if pii else {}),
        },
        metadata={
            "dagster/column_schema": column_schema([c for c, _ in columns], [t for _, t in columns], pii=pii),
            "table_name": f"public.{table}",
        },
        description=f"{what}. 크롤 파일 하나를 한 트랜잭션으로 적재합니다 (public.{table}).",
    )


@dg.multi_asset(
    name="is_posts",
    specs=[_spec(key, table, what) for key, (table, what, _) in INGEST_ASSETS.items()],
    retry_policy=dg.RetryPolicy(max_retries=2, delay=10),
)
def is_posts(
    context: dg.AssetExecutionContext, config: IngestFileConfig, is_postgres: PostgresResource
) -> Iterator[dg.MaterializeResult]:
    """Validate the file, merge it into every ingest table in one transaction, then move it to processed."""
    from dag_shared.metadata import postgres_query_metadata

    from dag_is.lib.crawlfile import CrawlFileError, read_crawl_file
    from dag_is.lib.ingest import ingest_document
    from dag_is.lib.outputs import find_processed, move_to_processed, processed_dir

    path = Path(config.file_path)
    already = None if path.exists() else find_processed(path.name, processed_dir())
    try:
        document = read_crawl_file(already or path)
    except CrawlFileError as error:
        raise dg.Failure(description=str(error), allow_retries=False) from None
    with is_postgres.transaction() as conn:
        report = ingest_document(conn, document)
    if already is None:
        moved = move_to_processed(path, processed_dir())
        context.log.info(f"ingested {path.name} ({len(report.post_ids)} posts), moved to {moved}")
    with is_postgres.connection() as conn:
        for key, (table, _, query) in INGEST_ASSETS.items():
            params = {"ids": report.post_ids, "site": document.meta["site"], "board": document.meta["board"]}
            metadata = postgres_query_metadata(conn, query, params)
            metadata["dagster/column_schema"] = _spec(key, table, "").metadata["dagster/column_schema"]
            metadata["rows_written"] = report.rows[table]
            metadata["file"] = dg.MetadataValue.path(str(path))
            if key == "is_posts":
                metadata.update({f"posts_{change}": count for change, count in sorted(report.posts.items())})
            yield dg.MaterializeResult(asset_key=key, metadata=metadata)
