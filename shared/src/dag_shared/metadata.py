"""Materialization metadata the guidelines ask for: row count, head-and-tail preview, column schema.

Adapters build it from a polars DataFrame, a DuckDB table or query, or a Postgres query, so every
asset reports the same keys (`dagster/row_count`, `preview`, `dagster/column_schema`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import dagster as dg

if TYPE_CHECKING:
    import polars as pl

PREVIEW_ROWS = 5
_CELL_LIMIT = 60


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    text = text.replace("|", "\\|").replace("\r", " ").replace("\n", " ")
    return text if len(text) <= _CELL_LIMIT else text[: _CELL_LIMIT - 1] + "…"


def preview_markdown(
    columns: Sequence[str], head: Sequence[Sequence[Any]], tail: Sequence[Sequence[Any]], row_count: int
) -> str:
    """A markdown table of the first and last rows, with an ellipsis row for what is left out."""
    lines = ["| " + " | ".join(_cell(c) for c in columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in head]
    if tail:
        hidden = row_count - len(head) - len(tail)
        if hidden > 0:
            lines.append("| " + " | ".join([f"… {hidden:,} more rows …"] + [""] * (len(columns) - 1)) + " |")
        lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in tail]
    return "\n".join(lines)


def table_metadata(
    columns: Sequence[str],
    types: Sequence[str],
    head: Sequence[Sequence[Any]],
    tail: Sequence[Sequence[Any]],
    row_count: int,
) -> dict[str, Any]:
    """The metadata block for one table-like result; `tail` excludes rows already in `head`."""
    return {
        "dagster/row_count": dg.MetadataValue.int(int(row_count)),
        "dagster/column_schema": column_schema(columns, types),
        "preview": dg.MetadataValue.md(preview_markdown(columns, head, tail, row_count)),
    }


def column_schema(
    columns: Sequence[str],
    types: Sequence[str],
    descriptions: dict[str, str] | None = None,
    pii: Sequence[str] = (),
) -> dg.TableSchema:
    """A column schema; the columns named in `pii` carry the column tag pii=true (dag_shared.pii)."""
    descriptions = descriptions or {}
    return dg.TableSchema(
        columns=[
            dg.TableColumn(
                name,
                str(kind),
                description=descriptions.get(name),
                tags={"pii": "true"} if name in pii else None,
            )
            for name, kind in zip(columns, types)
        ]
    )


def _split_head_tail(rows_count: int, n: int) -> tuple[int, int]:
    head = min(n, rows_count)
    tail = min(n, max(rows_count - head, 0))
    return head, tail


def frame_metadata(frame: pl.DataFrame, n: int = PREVIEW_ROWS) -> dict[str, Any]:
    """Metadata of a polars DataFrame."""
    head_n, tail_n = _split_head_tail(frame.height, n)
    return table_metadata(
        frame.columns,
        [str(dtype) for dtype in frame.dtypes],
        frame.head(head_n).rows(),
        frame.tail(tail_n).rows() if tail_n else [],
        frame.height,
    )


def duckdb_query_metadata(
    conn: Any, query: str, params: Sequence[Any] | None = None, n: int = PREVIEW_ROWS
) -> dict[str, Any]:
    """Metadata of a DuckDB query (or table name) on an open DuckDB connection."""
    source = query if " " in query.strip() else f'SELECT * FROM "{query}"'
    params = list(params or [])
    count = conn.execute(f"SELECT count(*) FROM ({source})", params).fetchone()[0]
    head_n, tail_n = _split_head_tail(count, n)
    head_rel = conn.execute(f"SELECT * FROM ({source}) LIMIT {head_n}", params)
    columns = [d[0] for d in head_rel.description]
    types = [str(d[1]) for d in head_rel.description]
    head = head_rel.fetchall()
    tail = (
        conn.execute(f"SELECT * FROM ({source}) LIMIT {tail_n} OFFSET {count - tail_n}", params).fetchall()
        if tail_n
        else []
    )
    return table_metadata(columns, types, head, tail, count)


def postgres_query_metadata(
    conn: Any, query: Any, params: Sequence[Any] | dict | None = None, n: int = PREVIEW_ROWS
) -> dict[str, Any]:
    """Metadata of a Postgres query on an open psycopg connection; give it an ORDER BY for a stable tail."""
    from psycopg import sql

    source = sql.SQL(query) if isinstance(query, str) else query
    count = conn.execute(sql.SQL("SELECT count(*) FROM ({}) AS q").format(source), params).fetchone()[0]
    head_n, tail_n = _split_head_tail(count, n)
    with conn.cursor() as cur:
        cur.execute(sql.SQL("SELECT * FROM ({}) AS q LIMIT {}").format(source, sql.Literal(head_n)), params)
        columns = [d.name for d in cur.description]
        types = [_postgres_type_name(conn, d.type_code) for d in cur.description]
        head = cur.fetchall()
        tail: list = []
        if tail_n:
            cur.execute(
                sql.SQL("SELECT * FROM ({}) AS q LIMIT {} OFFSET {}").format(
                    source, sql.Literal(tail_n), sql.Literal(count - tail_n)
                ),
                params,
            )
            tail = cur.fetchall()
    return table_metadata(columns, types, head, tail, count)


def _postgres_type_name(conn: Any, oid: int) -> str:
    info = conn.adapters.types.get(oid)
    return info.name if info is not None else str(oid)
