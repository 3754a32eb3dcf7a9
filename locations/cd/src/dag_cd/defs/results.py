"""Turns what a `dag_cd.lib` step reports (plain values, `lib.results` types) into Dagster
materialization metadata and asset check results."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dagster as dg
from dag_shared.metadata import column_schema, preview_markdown

from dag_cd.lib.results import Check, ColumnSchema, Markdown, Preview
from dag_cd.lib.schema import columns_of


def metadata_value(value: Any) -> Any:
    if isinstance(value, Preview):
        return dg.MetadataValue.md(preview_markdown(value.columns, value.head, value.tail, value.row_count))
    if isinstance(value, Markdown):
        return dg.MetadataValue.md(value.text)
    if isinstance(value, ColumnSchema):
        return column_schema(value.columns, value.types)
    if isinstance(value, bool):
        return dg.MetadataValue.bool(value)
    if isinstance(value, int):
        return dg.MetadataValue.int(value)
    if isinstance(value, float):
        return dg.MetadataValue.float(value)
    if isinstance(value, str):
        return dg.MetadataValue.text(value)
    if isinstance(value, (dict, list)):
        return dg.MetadataValue.json(value)
    return value  # already a Dagster metadata value


def to_metadata(metadata: Mapping[str, Any]) -> dict[str, Any]:
    return {key: metadata_value(value) for key, value in metadata.items()}


def to_check_result(check: Check) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        check_name=check.name,
        passed=check.passed,
        severity=dg.AssetCheckSeverity.WARN if check.warn else dg.AssetCheckSeverity.ERROR,
        metadata=to_metadata(check.metadata),
    )


def column_schema_of(table: str) -> dg.TableSchema:
    """`dagster/column_schema` of a warehouse table (Postgres types)."""
    return metadata_value(columns_of(table))
