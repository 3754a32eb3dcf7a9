"""Gold asset `is_refresh_mv_post_trends_30m` (legacy `refresh_mv_post_trends_30m`).

Refreshes the materialized view `mv_post_trends_30m` (the newest 10-minute window of every live post, with its site, board and title) CONCURRENTLY, so the web layer
keeps reading the previous rows meanwhile. The view and the unique index the concurrent refresh
needs are declared in `dag_is.lib.ddl_trends` (the legacy views lived outside the package).
"""

import dagster as dg
from dag_shared.resources.postgres import PostgresResource

from dag_is.defs.gold_cadence import ON10
from dag_is.defs.gold_support import gold_tags, refresh_materialized_view, view_metadata

VIEW = "mv_post_trends_30m"
COLUMNS = [
    ("post_id", "text"),
    ("site", "text"),
    ("board", "text"),
    ("title", "text"),
    ("url", "text"),
    ("posted_at", "timestamptz"),
    ("window_start", "timestamptz"),
    ("window_end", "timestamptz"),
    ("view_delta", "integer"),
    ("comment_delta", "integer"),
    ("like_delta", "integer"),
    ("dislike_delta", "integer"),
    ("hot_score", "double precision"),
]


@dg.asset(
    name="is_refresh_mv_post_trends_30m",
    group_name="IS",
    deps=["is_post_trends"],
    kinds={"python", "postgres", "view"},
    tags=gold_tags(VIEW),
    metadata=view_metadata(VIEW, COLUMNS),
    automation_condition=ON10,
    description="최신 10분 버킷의 게시글별 30분 추세 (삭제되지 않은 글, 사이트·제목 포함) 머티리얼라이즈드 뷰를 "
    "CONCURRENTLY 새로 고칩니다 (post_id 유일 인덱스).",
)
def is_refresh_mv_post_trends_30m(is_postgres: PostgresResource) -> dg.MaterializeResult:
    return refresh_materialized_view(is_postgres, VIEW, "hot_score DESC, post_id")
