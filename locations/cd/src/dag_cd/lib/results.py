"""What a CD step reports, in plain Python: the step functions stay free of Dagster, and
`dag_cd.defs.results` turns these values into materialization metadata and asset check results.

Metadata values are ints, floats, strings, dicts (JSON) or one of the small types below.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

PREVIEW_ROWS = 5


@dataclass(frozen=True)
class Markdown:
    text: str


@dataclass(frozen=True)
class Preview:
    """A head-and-tail preview of rows; `tail` excludes rows already in `head`."""

    columns: tuple[str, ...]
    head: Sequence[Sequence[Any]]
    tail: Sequence[Sequence[Any]] = ()
    row_count: int = 0


@dataclass(frozen=True)
class ColumnSchema:
    """A table's columns and their (Postgres) types: `dagster/column_schema`."""

    columns: tuple[str, ...]
    types: tuple[str, ...]


@dataclass
class Check:
    """The outcome of one asset check declared by the step."""

    name: str
    passed: bool
    metadata: dict[str, Any] = field(default_factory=dict)
    warn: bool = False  # a failed check is a warning, not an error


@dataclass
class StepResult:
    metadata: dict[str, Any]
    checks: list[Check] = field(default_factory=list)


def table_summary(preview: Preview, schema: ColumnSchema) -> dict[str, Any]:
    """Row count, preview and column schema of one table-like result (the guidelines' three keys)."""
    return {"dagster/row_count": int(preview.row_count), "dagster/column_schema": schema, "preview": preview}
