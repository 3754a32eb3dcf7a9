"""DDL of the warehouse table `public.pension` (legacy column names) and the month-replace load."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import dagster as dg

from dag_nps.nps_columns import COLUMN_NAMES, COLUMNS

PENSION_TABLE = "public.pension"

PENSION_DDL = (
    "CREATE TABLE IF NOT EXISTS public.pension (\n    id BIGSERIAL PRIMARY KEY,\n"
    + "".join(f"    {c.name} {c.pg_type},\n" for c in COLUMNS)
    + "    created_at TIMESTAMP NOT NULL DEFAULT now(),\n    updated_at TIMESTAMP NOT NULL DEFAULT now()\n)"
)
# The month filter of every reload and check; BRIN stays tiny on an append-mostly table.
PENSION_MONTH_INDEX = "CREATE INDEX IF NOT EXISTS idx_pension_ym_brin ON public.pension USING brin (data_created_ym)"

PENSION_SCHEMA = dg.TableSchema(
    columns=[dg.TableColumn("id", "BIGSERIAL")]
    + [dg.TableColumn(c.name, c.pg_type, description=f"{c.header}: {c.description}") for c in COLUMNS]
    + [dg.TableColumn("created_at", "TIMESTAMP"), dg.TableColumn("updated_at", "TIMESTAMP")]
)


def ensure_pension(conn: Any) -> None:
    conn.execute(PENSION_DDL)
    conn.execute(PENSION_MONTH_INDEX)


def export_month_csv(duck_conn: Any, month: str, target: Path) -> int:
    """Write the month's silver rows as a headerless CSV file (the benchmark's psql \\copy input)."""
    from dag_nps.nps_silver import read_month

    frame = read_month(duck_conn, month)
    frame.drop("source_line").write_csv(target, include_header=False, date_format="%Y-%m-%d", quote_style="necessary")
    return frame.height


def csv_chunks(frame: Any, month: str, rows_per_chunk: int = 100_000) -> tuple[int, Iterator[bytes]]:
    """(row count, CSV chunks) of the silver month's frame, serialised by a producer thread.

    The thread formats the next chunk while Postgres ingests the previous one, so the export
    costs almost nothing on top of COPY; the queue keeps at most a few chunks in memory.
    """
    import io
    import queue
    import threading

    frame = frame.select(COLUMN_NAMES)
    chunks: queue.Queue = queue.Queue(maxsize=4)
    done = object()
    stop = threading.Event()

    def produce() -> None:
        try:
            for offset in range(0, frame.height, rows_per_chunk):
                if stop.is_set():
                    return
                buffer = io.BytesIO()
                frame.slice(offset, rows_per_chunk).write_csv(
                    buffer, include_header=False, date_format="%Y-%m-%d", quote_style="non_numeric"
                )
                chunks.put(buffer.getvalue())
            chunks.put(done)
        except Exception as error:  # noqa: BLE001 - handed to the consumer, which re-raises it
            chunks.put(error)

    def consume() -> Iterator[bytes]:
        thread = threading.Thread(target=produce, name=f"nps-csv-{month}", daemon=True)
        thread.start()
        try:
            while (item := chunks.get()) is not done:
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            stop.set()
            while thread.is_alive():
                try:
                    chunks.get_nowait()
                except queue.Empty:
                    thread.join(timeout=0.05)

    return frame.height, consume()


def neighbour_month_counts(conn: Any, month: str, months: int) -> dict[str, int]:
    """Rows per month of `pension` within `months` of `month` (the BRIN month index keeps it cheap)."""
    rows = conn.execute(
        "SELECT to_char(data_created_ym, 'YYYY-MM'), count(*) FROM public.pension "
        "WHERE data_created_ym BETWEEN %s::timestamp - make_interval(months => %s) "
        "AND %s::timestamp + make_interval(months => %s) GROUP BY 1",
        (f"{month}-01", months, f"{month}-01", months),
    ).fetchall()
    return dict(rows)


def replace_month(
    conn: Any, month: str, chunks: Iterable[bytes], expected_rows: int, guard: Callable[[int], None] | None = None
) -> int:
    """In the caller's transaction: delete the month, COPY the chunks in, verify the count.

    `guard` is called with the number of rows the delete removed, before anything is copied; an
    exception from it rolls the caller's transaction back, leaving the month as it was.
    """
    from psycopg import sql

    replaced = conn.execute("DELETE FROM public.pension WHERE data_created_ym = %s::timestamp", (f"{month}-01",)).rowcount
    if guard is not None:
        guard(replaced)
    statement = sql.SQL("COPY public.pension ({}) FROM STDIN (FORMAT csv)").format(
        sql.SQL(", ").join(map(sql.Identifier, COLUMN_NAMES))
    )
    with conn.cursor() as cur:
        with cur.copy(statement) as copy:
            for block in chunks:
                copy.write(block)
        loaded = cur.rowcount
    if loaded != expected_rows:
        raise RuntimeError(f"COPY of {month} loaded {loaded} rows, silver has {expected_rows}")
    return loaded


def load_month(pg_conn: Any, month: str, frame: Any, guard: Callable[[int], None] | None = None) -> int:
    """Replace the month in Postgres inside one transaction with the silver rows of `frame`."""
    expected, chunks = csv_chunks(frame, month)
    with pg_conn.transaction():
        return replace_month(pg_conn, month, chunks, expected, guard)
