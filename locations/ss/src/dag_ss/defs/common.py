"""What the SS asset modules share: tags, table schemas declared for the UI, partition metadata."""

from __future__ import annotations

import dagster as dg

TAGS = {"domain": "phone_deals", "source": "ppomppu"}


# Personal data (guidelines §16): post authors and comment texts of the staging tables.
PII_TAGS = {"pii": "true", "access_level": "restricted", "compliance": "pipa"}


def tags(tier: str, pii: bool = False) -> dict[str, str]:
    return {"data_tier": tier, **TAGS, **(PII_TAGS if pii else {})}


def _schema(spec: str, pii: tuple[str, ...] = ()) -> dg.TableSchema:
    columns = [item.strip().split(" ", 1) for item in spec.split(",")]
    return dg.TableSchema(
        columns=[
            dg.TableColumn(name, kind, tags={"pii": "true"} if name in pii else None)
            for name, kind in columns
        ]
    )


SCHEMAS = {
    "raw_posts": _schema(
        "crawl_file text, post_id text, url text, site text, board text, title text, author text, "
        "posted_at timestamptz, view_count int4, like_count int4, comment_count int4, content text, comments jsonb",
        pii=("author", "comments"),
    ),
    "normalized_posts": _schema(
        "crawl_file text, post_id text, url text, author text, title text, content text, "
        "op_comment_texts jsonb, text text, op_comments int4, other_comments int4, channel text, city text, "
        "move_type text, contract text, payment text, capacity text, source_posted_at date, intent text, "
        "deal_candidate bool, deal_candidate_score float8, advertorial_score float8, nondeal_reason text",
        pii=("author", "op_comment_texts"),
    ),
    "extracted_rules": _schema(
        "crawl_file text, post_id text, segment int4, url text, source_posted_at date, intent text, "
        "deal_candidate bool, deal_candidate_score float8, advertorial_score float8, prefilter_passed bool, "
        "filtered_reason text, deal jsonb, flags jsonb"
    ),
    "extracted_llm": _schema(
        "crawl_file text, post_id text, segment int4, url text, source_posted_at date, advertorial_score float8, "
        "prefilter_passed bool, filtered_reason text, extraction text, llm_status text, llm_reason text, "
        "deal jsonb, flags jsonb"
    ),
    "deals": _schema(
        "id int8, deal_hash varchar, post_id text, url text, source_posted_at date, model text, capacity text, "
        "carrier text, move_type text, contract text, payment text, channel text, city text, upfront int4, "
        "plan_high_fee int4, plan_high_months int4, support_cash int4, device_finance_total int4, "
        "flags jsonb, extraction text, parsed_at timestamptz, tco_total int4, tco_net int4"
    ),
    "aggregates_daily": _schema(
        "model text, capacity text, ts date, min int4, p25 int4, median int4, p75 int4, max int4, avg int4, n int4"
    ),
    "dictionary": _schema("id int4, name text, aliases jsonb, aliases_keyb jsonb"),
}


def partition_metadata(conn, table: str, crawl_file: str, order_by: str = "post_id") -> dict:
    """Row count, column schema and head/tail preview of one crawl file's rows in a staging table."""
    from dag_shared.metadata import postgres_query_metadata

    query = f"SELECT * FROM {table} WHERE crawl_file = %s ORDER BY {order_by}"
    return postgres_query_metadata(conn, query, (crawl_file,))


def json_metadata(values: dict) -> dict:
    return {
        key: dg.MetadataValue.json(value) if isinstance(value, (dict, list)) else value
        for key, value in values.items()
    }
