"""Personal data (guidelines §16): how columns are marked, how they are masked, and the audit trail.

A column holding personal data carries the column tag `pii` (value "true") in the asset's
`dagster/column_schema`; the asset then carries the asset tags `pii: "true"` and an `access_level`
(the conventions checker enforces both directions). For such assets the run-time instrumentation
(`dag_shared.instrumentation`) masks the marked columns in every markdown preview of the
materialization's metadata and calls `audit_materialization`, which appends one row to the table
`dag_pii_audit` in the instance's own database (Postgres on the stack, the `dagster` database of
DAGSTER_POSTGRES_URL): asset, partition, run id, rows touched, columns, time.

Reading tools use `mask_value` / `mask_record` (for example `python -m dag_is.parse`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import dagster as dg

PII_TAG = "pii"
ACCESS_LEVELS = frozenset({"internal", "restricted", "confidential"})
AUDIT_TABLE = "dag_pii_audit"
MASK = "***"
# Metadata keys whose value counts the rows a materialization touched, most specific first.
ROWS_TOUCHED_KEYS = (
    "rows_touched",
    "rows_written",
    "rows_loaded",
    "rows_inserted_or_changed",
    "dagster/row_count",
)


def is_pii(tags: Mapping[str, str] | None) -> bool:
    return (tags or {}).get(PII_TAG) == "true"


def column_is_pii(column: dg.TableColumn) -> bool:
    return (column.tags or {}).get(PII_TAG) == "true"


def pii_columns(metadata: Mapping[str, Any] | None) -> tuple[str, ...]:
    """The names of the columns the asset's `dagster/column_schema` marks as personal data."""
    schema = (metadata or {}).get("dagster/column_schema")
    schema = getattr(schema, "value", schema)
    if not isinstance(schema, dg.TableSchema):
        return ()
    return tuple(column.name for column in schema.columns if column_is_pii(column))


def mask_value(value: Any) -> Any:
    """A personal value as reading tools show it: a fixed mask (empty values stay empty)."""
    if value is None or value == "":
        return value
    return MASK


def mask_record(record: Mapping[str, Any], columns: Iterable[str]) -> dict[str, Any]:
    """A copy of a dict with the named fields masked (nested dicts and lists are walked)."""
    names = frozenset(columns)

    def walk(value: Any) -> Any:
        if isinstance(value, Mapping):
            return {k: mask_value(v) if k in names else walk(v) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v) for v in value]
        return value

    return walk(record)


_ROW = re.compile(r"^\|.*\|\s*$")


def _cells(line: str) -> list[str]:
    # Cells escape their own pipes as "\|" (dag_shared.metadata), so split on unescaped pipes only.
    return [cell.strip() for cell in re.split(r"(?<!\\)\|", line.strip())[1:-1]]


def mask_preview(markdown: str, columns: Sequence[str]) -> str:
    """The markdown table with every cell of the named columns masked (header and separator kept)."""
    lines = markdown.splitlines()
    header = next((i for i, line in enumerate(lines) if _ROW.match(line)), None)
    if header is None:
        return markdown
    names = _cells(lines[header])
    hidden = [i for i, name in enumerate(names) if name in set(columns)]
    if not hidden:
        return markdown
    out = lines[: header + 2]
    for line in lines[header + 2 :]:
        cells = _cells(line) if _ROW.match(line) else None
        if cells is None or len(cells) != len(names) or cells[0].startswith("… "):
            out.append(line)
            continue
        out.append("| " + " | ".join(mask_value(c) if i in hidden else c for i, c in enumerate(cells)) + " |")
    return "\n".join(out)


def mask_metadata(metadata: Mapping[str, Any], columns: Sequence[str]) -> dict[str, Any]:
    """Materialization metadata with the personal columns masked in every markdown value."""
    masked = dict(metadata)
    if not columns:
        return masked
    for key, value in metadata.items():
        if isinstance(value, dg.MarkdownMetadataValue):
            masked[key] = dg.MetadataValue.md(mask_preview(value.md_str or "", columns))
        schema = getattr(value, "schema", value)
        if isinstance(schema, dg.TableSchema):  # a schema read from the database keeps the marks
            masked[key] = mark_columns(schema, columns)
    masked["pii_columns"] = dg.MetadataValue.text(", ".join(columns))
    return masked


def mark_columns(schema: dg.TableSchema, columns: Sequence[str]) -> dg.TableSchema:
    """The schema with the named columns tagged pii=true (other tags kept)."""
    return dg.TableSchema(
        columns=[
            dg.TableColumn(
                c.name,
                c.type,
                description=c.description,
                constraints=c.constraints,
                tags={**(c.tags or {}), PII_TAG: "true"} if c.name in columns else c.tags,
            )
            for c in schema.columns
        ],
        constraints=schema.constraints,
    )


def rows_touched(metadata: Mapping[str, Any]) -> int:
    for key in ROWS_TOUCHED_KEYS:
        if key in metadata:
            value = getattr(metadata[key], "value", metadata[key])
            try:
                return int(value)
            except (TypeError, ValueError):
                continue
    return 0


_CREATE = f"""
CREATE TABLE IF NOT EXISTS {AUDIT_TABLE} (
    asset_key VARCHAR(512) NOT NULL,
    partition_key VARCHAR(512),
    run_id VARCHAR(255) NOT NULL,
    rows_touched BIGINT NOT NULL,
    columns TEXT NOT NULL,
    recorded_at TIMESTAMP NOT NULL
)
"""
_INSERT = (
    f"INSERT INTO {AUDIT_TABLE} (asset_key, partition_key, run_id, rows_touched, columns, recorded_at) "
    "VALUES (:asset_key, :partition_key, :run_id, :rows_touched, :columns, :recorded_at)"
)


def _run_storage_connection(instance: dg.DagsterInstance):
    connect = getattr(instance.run_storage, "connect", None)
    if connect is None:
        raise dg.Failure(
            description=(
                f"PII audit: the instance's run storage ({type(instance.run_storage).__name__}) is not "
                f"an SQL database, so the audit row cannot be written to {AUDIT_TABLE}"
            ),
            allow_retries=False,
        )
    return connect()


def write_audit_row(instance: dg.DagsterInstance, row: Mapping[str, Any]) -> None:
    """Append one audit row to the instance's database, creating the table on first use."""
    import sqlalchemy as sa

    for attempt in range(2):
        try:
            with _run_storage_connection(instance) as conn:
                conn.execute(sa.text(_CREATE))
                conn.execute(sa.text(_INSERT), dict(row))
                if conn.in_transaction():
                    conn.commit()
            return
        except sa.exc.IntegrityError:
            if attempt:  # two first writers raced on CREATE TABLE IF NOT EXISTS; the table exists now
                raise


def audit_materialization(
    context: dg.AssetExecutionContext, key: dg.AssetKey, metadata: Mapping[str, Any], columns: Sequence[str]
) -> dict[str, Any]:
    """Write the audit row of one PII materialization; returns the row (also logged)."""
    row = {
        "asset_key": key.to_user_string(),
        "partition_key": context.partition_key if context.has_partition_key else None,
        "run_id": context.run_id,
        "rows_touched": rows_touched(metadata),
        "columns": json.dumps(list(columns)),
        "recorded_at": datetime.now(UTC).replace(tzinfo=None),
    }
    write_audit_row(context.instance, row)
    context.log.info(
        f"PII audit: {row['asset_key']} touched {row['rows_touched']} rows with personal columns {list(columns)}"
    )
    return row


def read_audit_rows(instance: dg.DagsterInstance, asset_key: str | None = None) -> list[dict[str, Any]]:
    """The audit rows (oldest first), optionally of one asset; an empty list before the first write."""
    import sqlalchemy as sa

    with _run_storage_connection(instance) as conn:
        if not sa.inspect(conn).has_table(AUDIT_TABLE):
            return []
        query = f"SELECT * FROM {AUDIT_TABLE}"
        params = {}
        if asset_key is not None:
            query += " WHERE asset_key = :asset_key"
            params["asset_key"] = asset_key
        rows = conn.execute(sa.text(query + " ORDER BY recorded_at"), params).mappings().all()
    return [dict(row) for row in rows]
