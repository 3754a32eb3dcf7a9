"""What `pension`'s matching indexes cost per row, and the floor they set for a full-history load.

Run: uv run --project locations/nps python bench/bench_nps_index_cost.py [--rows 530000] [--months 2]

Loads the index columns of generated months (dag_nps.lib.sample: company name, masked BRN,
sigungu and industry codes, data month) into a table shaped like `pension` in a temporary
embedded PostgreSQL (never a configured server: the bench creates its own `pension`), then, in
one session without parallel workers (one core's CPU):
- evaluates `nps_normalize_company_name` over every name, and, as the baseline in the same run,
  the same key written one statement per spec step (the reference the Hypothesis test compares
  the function with);
- builds each index of `dag_nps.lib.pension_indexes.wanted_indexes()` with the spec's session
  settings and times it.
The table holds only the index columns, so the btree builds read less than over the real rows.
Prints microseconds per row for each, and what the indexes cost for the full history (59.89 M
rows) on two cores if both were busy with nothing else: the CPU floor of the index step.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

HISTORY_ROWS = 113 * 530_000
TABLE_DDL = """
CREATE TABLE public.pension (
    company_name VARCHAR(200), business_reg_num VARCHAR(10), addr_sigungu_code VARCHAR(10),
    industry_code VARCHAR(10), data_created_ym TIMESTAMP
)"""


def load_rows(conn, months: list[str], rows: int) -> int:
    from dag_nps.lib.sample import month_rows

    loaded = 0
    with conn.cursor().copy(
        "COPY public.pension (company_name, business_reg_num, addr_sigungu_code, industry_code, "
        "data_created_ym) FROM STDIN"
    ) as copy:
        for month in months:
            for row in month_rows(month, rows):
                copy.write_row((row[1], row[2] or None, row[10], row[13], f"{month}-01"))
                loaded += 1
    return loaded


def timed(conn, sql: str) -> float:
    started = time.perf_counter()
    conn.execute(sql)
    return time.perf_counter() - started


def main() -> None:
    import psycopg
    from dag_nps.lib.name_sql import reference_normalize_sql
    from dag_nps.lib.pension_indexes import SESSION_SETTINGS, ensure_functions, wanted_indexes
    from dag_shared.embedded_postgres import EmbeddedPostgres, free_port

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=530_000, help="rows per generated month")
    parser.add_argument("--months", type=int, default=2)
    args = parser.parse_args()
    months = [f"{2020 + index // 12}-{index % 12 + 1:02d}" for index in range(args.months)]

    folder = Path(tempfile.mkdtemp(prefix="nps-index-cost-"))
    server = EmbeddedPostgres(folder / "data", free_port())
    url = server.start()
    try:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(TABLE_DDL)
            ensure_functions(conn)
            conn.execute(reference_normalize_sql())
            rows = load_rows(conn, months, args.rows)
            conn.execute("VACUUM ANALYZE public.pension")
            one_core = {"max_parallel_maintenance_workers": "0", "max_parallel_workers_per_gather": "0"}
            for setting, value in {**SESSION_SETTINGS, **one_core}.items():
                conn.execute(f"SET {setting} = '{value}'")
            print(f"{rows:,} rows ({args.months} generated months), one session, no parallel workers")

            def per_row(seconds: float) -> float:
                return seconds / rows * 1e6

            fast = per_row(
                timed(
                    conn, "SELECT count(public.nps_normalize_company_name(company_name)) FROM public.pension"
                )
            )
            reference = per_row(
                timed(conn, "SELECT count(public.nps_normalize_reference(company_name)) FROM public.pension")
            )
            print(f"nps_normalize_company_name: {fast:.2f} µs a row")
            print(
                f"baseline, the spec's steps one statement each: {reference:.2f} µs a row ({reference / fast:.1f}x)"
            )
            total = 0.0
            for name, definition in wanted_indexes().items():
                cost = per_row(timed(conn, f"CREATE INDEX {name} ON public.pension {definition}"))
                total += cost
                print(f"{name}: {cost:.2f} µs a row")
            floor = total * HISTORY_ROWS / 1e6 / 2
            print(
                f"all indexes: {total:.2f} µs a row; for {HISTORY_ROWS:,} rows on two busy cores: "
                f"{floor:.0f} s of index building at the least (the backfill target is 480 s in all)"
            )
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
