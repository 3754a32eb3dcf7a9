"""Gold asset `is_refresh_mv_post_trends_agg` (legacy `refresh_mv_post_trends_agg`).

Refreshes the materialized view `mv_post_trends_agg` (per post and range 3h/6h/24h/1w: totals over the 30-minute windows tiling the range, the peak hot score) CONCURRENTLY, so the web layer
keeps reading the previous rows meanwhile. The view and the unique index the concurrent refresh
needs are declared in `dag_is.lib.ddl_trends` (the legacy views lived outside the package).
"""

import dagster as dg
from dag_shared.resources.postgres import PostgresResource

from dag_is.defs.gold_cadence import ON10
from dag_is.defs.gold_support import gold_tags, refresh_materialized_view, view_metadata

VIEW = "mv_post_trends_agg"
COLUMNS = [
    ("post_id", "text"),
    ("range_label", "text"),
    ("range_start", "timestamptz"),
    ("range_end", "timestamptz"),
    ("view_delta", "bigint"),
    ("comment_delta", "bigint"),
    ("like_delta", "bigint"),
    ("dislike_delta", "bigint"),
    ("hot_score", "double precision"),
    ("peak_hot_score", "double precision"),
    ("windows", "bigint"),
]


@dg.asset(
    name="is_refresh_mv_post_trends_agg",
    group_name="IS",
    deps=["is_post_trends"],
    kinds={"python", "postgres", "view"},
    tags=gold_tags(VIEW),
    metadata=view_metadata(VIEW, COLUMNS),
    automation_condition=ON10,
    description="게시글별 3h/6h/24h/1w 집계 (범위를 겹치지 않게 덮는 30분 창의 합, 최고 hot_score, 창 수) "
    "머티리얼라이즈드 뷰를 CONCURRENTLY 새로 고칩니다 ((post_id, range_label) 유일 인덱스).",
)
def is_refresh_mv_post_trends_agg(is_postgres: PostgresResource) -> dg.MaterializeResult:
    return refresh_materialized_view(is_postgres, VIEW, "range_label, hot_score DESC, post_id")
