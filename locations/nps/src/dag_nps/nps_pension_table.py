"""DDL of the warehouse table `public.pension` (legacy column names) and the month-replace load."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import dagster as dg

from dag_nps.nps_columns import COLUMN_NAMES, COLUMNS

PENSION_TABLE = "public.pension"
COPY_CHUNK_BYTES = 1 << 20

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
    """Write the month's silver rows as headerless CSV (NULL = empty, unquoted) for COPY."""
    from dag_nps.nps_silver import month_file

    source = month_file(month)
    if not source.is_file():
        raise FileNotFoundError(f"no silver file for {month} ({source}): materialize nps_his_digest first")
    relation = f"read_parquet('{source}')"
    count = duck_conn.execute(f"SELECT count(*) FROM {relation}").fetchone()[0]
    duck_conn.execute(
        f"COPY (SELECT {', '.join(COLUMN_NAMES)} FROM {relation} ORDER BY source_line) "
        f"TO '{target}' (FORMAT csv, HEADER false, DATEFORMAT '%Y-%m-%d')"
    )
    return count


def replace_month(conn: Any, month: str, csv_path: Path, expected_rows: int) -> int:
    """In the caller's transaction: delete the month, COPY the file in, verify the count."""
    from psycopg import sql

    conn.execute("DELETE FROM public.pension WHERE data_created_ym = %s::timestamp", (f"{month}-01",))
    statement = sql.SQL("COPY public.pension ({}) FROM STDIN (FORMAT csv)").format(
        sql.SQL(", ").join(map(sql.Identifier, COLUMN_NAMES))
    )
    with conn.cursor() as cur:
        with cur.copy(statement) as copy, csv_path.open("rb") as handle:
            for block in iter(lambda: handle.read(COPY_CHUNK_BYTES), b""):
                copy.write(block)
        loaded = cur.rowcount
    if loaded != expected_rows:
        raise RuntimeError(f"COPY of {month} loaded {loaded} rows, silver has {expected_rows}")
    return loaded


def load_month(duck_conn: Any, pg_conn: Any, month: str, work_dir: Path) -> int:
    """Export from silver then replace the month in Postgres inside one transaction."""
    work_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=work_dir) as folder:
        csv_path = Path(folder) / f"{month}.csv"
        expected = export_month_csv(duck_conn, month, csv_path)
        with pg_conn.transaction():
            return replace_month(pg_conn, month, csv_path, expected)
