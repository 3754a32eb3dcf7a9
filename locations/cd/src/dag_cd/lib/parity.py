"""Postgres ↔ Turso parity: every mirrored table compared row by row (the asset check on it is
`dag_cd.defs.cd_turso_matches_postgres`).

Values are normalised per sink's documented storage (dates: `date` vs `YYYY-MM-DD` text; ids:
`uuid` vs text; floats compared to 9 significant digits). Wall-clock stamps are not compared.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from dag_cd.lib.backend import Backend
from dag_cd.lib.schema import TABLES, VOLATILE_COLUMNS, quote


def _normalise(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, float):
        return float(f"{value:.9g}")
    return value


def table_rows(backend: Backend, table: str) -> list[tuple]:
    spec = TABLES[table]
    columns = [c for c in spec.column_names if c not in VOLATILE_COLUMNS]
    with backend.transaction() as tx:
        rows = tx.query(
            f"SELECT {', '.join(map(quote, columns))} FROM {table} ORDER BY {', '.join(map(quote, spec.key))}"
        )
    return [tuple(_normalise(v) for v in row) for row in rows]


def compare_sinks(postgres: Backend, turso: Backend) -> dict[str, dict[str, Any]]:
    """Per mirrored table: row counts on each side and the first differing rows (empty when equal)."""
    turso.before_read()
    report = {}
    for table, spec in TABLES.items():
        if not spec.mirrored:
            continue
        left, right = table_rows(postgres, table), table_rows(turso, table)
        only_left = sorted(set(left) - set(right), key=repr)
        only_right = sorted(set(right) - set(left), key=repr)
        report[table] = {
            "postgres_rows": len(left),
            "turso_rows": len(right),
            "only_in_postgres": only_left[:5],
            "only_in_turso": only_right[:5],
            "differences": len(only_left) + len(only_right),
        }
    return report
