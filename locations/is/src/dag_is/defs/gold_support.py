"""What every IS gold asset shares: the clock, the schema step and the table metadata it reports.

Each gold step first makes sure its tables exist (a short transaction of its own), then does its
work in one transaction and reports `dagster/row_count`, a preview and the column schema of the
table it wrote, plus the rows it touched.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import dagster as dg
from dag_shared.metadata import column_schema
from pydantic import Field

if TYPE_CHECKING:
    from dag_shared.resources.postgres import PostgresResource

DOMAIN_TAGS = {"domain": "community", "source": "is_crawlers"}
# The preview of `clusters` that the assets writing it (build, merge) show: largest first.
CLUSTERS_PREVIEW = (
    "SELECT id, representative_post_id, title, size, created_at, updated_at FROM clusters "
    "ORDER BY size DESC, created_at, id"
)


def gold_tags(table: str) -> dict[str, str]:
    return {"data_tier": "gold", **DOMAIN_TAGS, "table": table}


def table_schema(table: str) -> dg.TableSchema:
    from dag_is.lib.ddl_trends import GOLD_TABLE_COLUMNS

    columns = GOLD_TABLE_COLUMNS[table]
    return column_schema([c for c, _ in columns], [t for _, t in columns])


def gold_table_metadata(table: str) -> dict[str, Any]:
    """Definition metadata of a gold table: its column schema (from the DDL) and qualified name."""
    return {"dagster/column_schema": table_schema(table), "table_name": f"public.{table}"}


def gold_table_asset(
    *,
    name: str,
    table: str,
    automation_condition: dg.AutomationCondition,
    description: str,
    deps: list[str] | None = None,
) -> Callable[..., dg.AssetsDefinition]:
    """`dg.asset` for an IS gold asset that writes `table`: group IS, Python and Postgres kinds, the
    gold tags and the table's column schema, with the asset's own name, cadence and description."""
    return dg.asset(
        name=name,
        group_name="IS",
        deps=deps,
        kinds={"python", "postgres"},
        tags=gold_tags(table),
        metadata=gold_table_metadata(table),
        automation_condition=automation_condition,
        description=description,
    )


def utc_now() -> datetime:
    return datetime.now(UTC)


def ensure_tables(postgres: PostgresResource) -> None:
    from dag_is.lib.ddl_trends import ensure_gold_schema

    with postgres.transaction() as conn:
        ensure_gold_schema(conn)


@contextmanager
def gold_transaction(postgres: PostgresResource) -> Iterator[Any]:
    """A gold step's work: the schema step first (a short transaction of its own), then one transaction."""
    ensure_tables(postgres)
    with postgres.transaction() as conn:
        yield conn


def table_metadata(conn: Any, query: str, params: Any = None, **extra: Any) -> dict[str, Any]:
    """Row count, preview and column types of `query` (the table's rows), plus `extra`."""
    from dag_shared.metadata import postgres_query_metadata

    metadata = postgres_query_metadata(conn, query, params)
    for key, value in extra.items():
        metadata[key] = (
            value
            if isinstance(value, dg.MetadataValue)
            else dg.MetadataValue.json(value)
            if isinstance(value, (dict, list))
            else value
        )
    return metadata


def view_metadata(view: str, columns: list[tuple[str, str]]) -> dict[str, Any]:
    """Definition metadata of a materialized view: its column schema and qualified name."""
    return {
        "dagster/column_schema": column_schema([c for c, _ in columns], [t for _, t in columns]),
        "table_name": f"public.{view}",
    }


def refresh_materialized_view(postgres: PostgresResource, view: str, order_by: str) -> dg.MaterializeResult:
    """Refreshes `view` CONCURRENTLY after the schema step; reports its rows ordered by `order_by`."""
    from dag_is.lib.trends import refresh_view

    with gold_transaction(postgres) as conn:
        refresh_view(conn, view)
        metadata = table_metadata(conn, f"SELECT * FROM {view} ORDER BY {order_by}")
    return dg.MaterializeResult(metadata=metadata)


class GoldClock(dg.Config):
    """When a gold step computes "now" (replays, backfills, tests): unset means the wall clock."""

    as_of: str | None = Field(
        default=None,
        description="ISO 8601 time with a time zone (e.g. 2026-11-29T15:10:00+09:00); unset: now.",
    )

    def now(self) -> datetime:
        if self.as_of is None:
            return utc_now()
        try:
            moment = datetime.fromisoformat(self.as_of)
        except ValueError:
            raise dg.Failure(f"as_of={self.as_of!r} is not an ISO 8601 time", allow_retries=False) from None
        if moment.tzinfo is None:
            raise dg.Failure(f"as_of={self.as_of!r} has no time zone (e.g. +09:00 or Z)", allow_retries=False)
        return moment.astimezone(UTC)
