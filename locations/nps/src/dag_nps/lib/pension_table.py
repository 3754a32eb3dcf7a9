"""The warehouse table `public.pension` (legacy column names): its DDL and the month-replace load.

A month is replaced in one Postgres transaction: DELETE the month, run the caller's guard on the
number of rows deleted, then stream the silver rows in with COPY through dag-shared's one COPY
path (`copy_csv_chunks`), fed by a producer thread (`prefetched`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from dag_nps.lib.columns import COLUMN_NAMES, COLUMNS

PENSION_TABLE = "public.pension"

# The one declaration of `pension`'s columns: (name, Postgres type, description), in table order.
# The source columns come from `columns.COLUMNS`; the DDL and the asset's column schema derive from it.
PENSION_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("id", "BIGSERIAL PRIMARY KEY", "row id, grows with every load"),
    *((c.name, c.pg_type, f"{c.header}: {c.description}") for c in COLUMNS),
    ("created_at", "TIMESTAMP NOT NULL DEFAULT now()", "when the row was loaded"),
    ("updated_at", "TIMESTAMP NOT NULL DEFAULT now()", "when the row was loaded"),
)
PENSION_DDL = (
    f"CREATE TABLE IF NOT EXISTS {PENSION_TABLE} (\n"
    + ",\n".join(f"    {name} {kind}" for name, kind, _ in PENSION_COLUMNS)
    + "\n)"
)
# The month filter of every reload and check; BRIN stays tiny on an append-mostly table.
PENSION_MONTH_INDEX = (
    "CREATE INDEX IF NOT EXISTS idx_pension_ym_brin ON public.pension USING brin (data_created_ym)"
)
# What each month of `pension` was loaded from: the digest's file (SHA-256) and row count, written
# in the month's load transaction. A range run (a backfill) skips a month whose mark matches silver.
LOADS_TABLE = "public.nps_pension_loads"
LOADS_DDL = (
    f"CREATE TABLE IF NOT EXISTS {LOADS_TABLE} (data_month TEXT PRIMARY KEY, sha256 TEXT NOT NULL, "
    "rows BIGINT NOT NULL, loaded_at TIMESTAMPTZ NOT NULL DEFAULT now())"
)
CHUNK_ROWS = 100_000  # rows per CSV chunk handed to COPY
PREFETCH_DEPTH = 4  # chunks formatted ahead of COPY


def ensure_pension(conn: Any) -> None:
    conn.execute(PENSION_DDL)
    conn.execute(PENSION_MONTH_INDEX)
    conn.execute(LOADS_DDL)


def load_marks(conn: Any) -> dict[str, tuple[str, int]]:
    """(sha256, rows) of every loaded month, by `YYYY-MM`."""
    return {
        m: (sha, rows) for m, sha, rows in conn.execute(f"SELECT data_month, sha256, rows FROM {LOADS_TABLE}")
    }


def export_month_csv(duck_conn: Any, month: str, target: Path) -> int:
    """Write the month's silver rows as a headerless CSV file (the benchmark's psql \\copy input)."""
    from dag_nps.lib.silver import read_month

    frame = read_month(duck_conn, month)
    frame.drop("source_line").write_csv(
        target, include_header=False, date_format="%Y-%m-%d", quote_style="necessary"
    )
    return frame.height


def csv_chunks(frame: Any, rows_per_chunk: int = CHUNK_ROWS) -> Iterator[bytes]:
    """The frame's warehouse columns as CSV chunks for COPY (no header, NULL as \\N, text quoted)."""
    import io

    from dag_shared.resources.postgres import COPY_NULL

    frame = frame.select(COLUMN_NAMES)
    for offset in range(0, frame.height, rows_per_chunk):
        buffer = io.BytesIO()
        frame.slice(offset, rows_per_chunk).write_csv(
            buffer,
            include_header=False,
            date_format="%Y-%m-%d",
            quote_style="non_numeric",
            null_value=COPY_NULL,
        )
        yield buffer.getvalue()


def neighbour_month_counts(conn: Any, month: str, months: int) -> dict[str, int]:
    """Rows per month of `pension` within `months` of `month`.

    Read from the load marks (written with every month's rows, so they agree), which costs nothing
    however large `pension` grows; only when no month of the window has a mark (rows loaded before
    marks were kept) are the rows counted.
    """
    marked = conn.execute(
        f"SELECT data_month, rows FROM {LOADS_TABLE} WHERE data_month BETWEEN "
        "to_char(%s::date - make_interval(months => %s), 'YYYY-MM') "
        "AND to_char(%s::date + make_interval(months => %s), 'YYYY-MM')",
        (f"{month}-01", months, f"{month}-01", months),
    ).fetchall()
    if marked:
        return dict(marked)
    rows = conn.execute(
        "SELECT to_char(data_created_ym, 'YYYY-MM'), count(*) FROM public.pension "
        "WHERE data_created_ym BETWEEN %s::timestamp - make_interval(months => %s) "
        "AND %s::timestamp + make_interval(months => %s) GROUP BY 1",
        (f"{month}-01", months, f"{month}-01", months),
    ).fetchall()
    return dict(rows)


def replace_month(
    conn: Any,
    month: str,
    chunks: Iterable[bytes],
    expected_rows: int,
    guard: Callable[[int], None] | None = None,
) -> int:
    """In the caller's transaction: delete the month, COPY the chunks in, verify the count.

    `guard` is called with the number of rows the delete removed, before anything is copied; an
    exception from it rolls the caller's transaction back, leaving the month as it was.
    """
    from dag_shared.resources.postgres import copy_csv_chunks

    # The month index, never a scan of the whole table: while `pension` grows during a backfill
    # its statistics lag (autovacuum's ANALYZE comes minutes later), and without them the planner
    # scanned all of it for every month. The setting ends with the transaction.
    conn.execute("SET LOCAL enable_seqscan = off")
    replaced = conn.execute(
        f"DELETE FROM {PENSION_TABLE} WHERE data_created_ym = %s::timestamp", (f"{month}-01",)
    ).rowcount
    if guard is not None:
        guard(replaced)
    loaded = copy_csv_chunks(conn, PENSION_TABLE, COLUMN_NAMES, chunks)
    if loaded != expected_rows:
        raise RuntimeError(f"COPY of {month} loaded {loaded} rows, silver has {expected_rows}")
    # Page ranges the BRIN index has not summarized match every month, so without this the next
    # month's DELETE would read all the rows appended since the last VACUUM (the whole table in a
    # backfill). Summarizing reads only the new pages.
    conn.execute("SELECT brin_summarize_new_values(to_regclass('public.idx_pension_ym_brin'))")
    return loaded


def load_month(
    pg_conn: Any,
    month: str,
    frame: Any,
    guard: Callable[[int], None] | None = None,
    sha256: str | None = None,
) -> int:
    """Replace the month in Postgres inside one transaction with the silver rows of `frame`.

    With `sha256` (the digested file's), the month's load mark is written in the same transaction.

    The CSV chunks are formatted by a producer thread one step ahead (`dag_shared.prefetch`), so
    formatting the next chunk overlaps Postgres ingesting the previous one; at most a few chunks
    are held in memory.
    """
    from dag_shared.prefetch import prefetched

    chunks = prefetched(lambda: csv_chunks(frame), depth=PREFETCH_DEPTH, name=f"nps-csv-{month}")
    with pg_conn.transaction():
        loaded = replace_month(pg_conn, month, chunks, frame.height, guard)
        if sha256 is not None:
            pg_conn.execute(
                f"INSERT INTO {LOADS_TABLE} (data_month, sha256, rows) VALUES (%s, %s, %s) "
                "ON CONFLICT (data_month) DO UPDATE SET sha256 = excluded.sha256, rows = excluded.rows, "
                "loaded_at = now()",
                (month, sha256, loaded),
            )
        return loaded
