"""Benchmark: Postgres load throughput of one NPS month, vs `psql \\copy` of the same cleansed rows.

Run: uv run --project locations/nps python bench/bench_nps_load.py [--rows 600000] [--repeat 3]

Both load the same silver month into a fresh `public.pension` (same DDL, BRIN month index):
the pipeline's path (the month read from the DuckDB silver table → CSV chunks formatted by a
producer thread, `dag_shared.prefetch.prefetched` → DELETE + COPY in one transaction via
`dag_shared.resources.postgres.copy_csv_chunks`, the read included in the time) and, as the baseline,
`psql -c "\\copy pension (...) FROM 'month.csv' (FORMAT csv)"` of the same rows exported to a CSV
file beforehand (the export is not counted for psql). Target: ≥ 80% of the psql rate.
Uses NPS_POSTGRES_URL when set, else an embedded PostgreSQL in a temporary folder.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))


def server_url(stack) -> str:
    from dag_shared.embedded_postgres import EmbeddedPostgres, ensure_database, free_port

    configured = os.environ.get("NPS_POSTGRES_URL", "").strip()
    if configured:
        return configured
    server = EmbeddedPostgres(Path(tempfile.mkdtemp(prefix="nps-bench-pg-")) / "data", free_port())
    url = server.start()
    stack.append(server)
    return ensure_database(url, "nps_bench")


def psql_binary() -> str:
    from dag_shared.embedded_postgres import _bin_dir

    bundled = _bin_dir() / "psql"
    return str(bundled) if bundled.exists() else shutil.which("psql")


def fresh_table(url: str) -> None:
    import psycopg
    from dag_nps.lib.pension_table import ensure_pension

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS public.pension")
        ensure_pension(conn)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=600_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    os.environ["DAG_DATA_DIR"] = tempfile.mkdtemp(prefix="nps-bench-")
    import psycopg
    from dag_nps.lib.columns import COLUMN_NAMES
    from dag_nps.lib.digest import digest_file
    from dag_nps.lib.pension_table import export_month_csv, load_month
    from dag_nps.lib.silver import ensure_silver, read_month, replace_month
    from dag_shared.resources.duckdb import duckdb_resource
    from nps_generate import generate

    (path,) = generate(["2022-04"], args.rows)
    month = "2022-04"
    duck = duckdb_resource("nps")
    with duck.get_connection() as conn:
        ensure_silver(conn)
        replace_month(conn, month, digest_file(path, month), path.name, "-", "cp949")
    stack: list = []
    try:
        url = server_url(stack)
        work = Path(os.environ["DAG_DATA_DIR"]) / "work"
        csv_path = work / "month.csv"
        work.mkdir()
        with duck.get_connection() as conn:
            rows = export_month_csv(conn, month, csv_path)
        pipeline, baseline = [], []
        copy = f"\\copy public.pension ({', '.join(COLUMN_NAMES)}) FROM '{csv_path}' (FORMAT csv)"
        for _ in range(args.repeat):
            fresh_table(url)
            start = time.perf_counter()
            subprocess.run([psql_binary(), url, "-q", "-v", "ON_ERROR_STOP=1", "-c", copy], check=True)
            baseline.append(time.perf_counter() - start)
            fresh_table(url)
            start = time.perf_counter()
            with duck.get_connection() as conn:
                frame = read_month(conn, month)
            with psycopg.connect(url) as pconn:
                loaded = load_month(pconn, month, frame)
            pipeline.append(time.perf_counter() - start)
            assert loaded == rows
    finally:
        for server in stack:
            server.stop()
    ours, theirs = rows / min(pipeline), rows / min(baseline)
    print(f"{rows:,} cleansed rows of {month}")
    print(
        f"pipeline load (DuckDB silver -> CSV stream + DELETE + COPY, one transaction): {min(pipeline):.2f} s = {ours:,.0f} rows/s"
    )
    print(f"baseline psql \\copy of the same CSV: {min(baseline):.2f} s = {theirs:,.0f} rows/s")
    print(f"ratio: {ours / theirs:.0%} of psql \\copy (target >= 80%)")


if __name__ == "__main__":
    main()
