"""CD daily load: one full trading day (KOSPI, KOSDAQ, KONEX; about 2,800 tickers) end to end.

Generates two consecutive snapshot days (bench/cd_krx_snapshots.py), loads the first, then times
the second (with new listings, delistings and renames) through every daily step: the 17 steps of
each exchange partition, then the day's 5 gold steps, on Postgres and on the Turso mirror (a local
libsql file). Steps run in process (`dagster.materialize`), as the location's in-process executor
runs them on the stack too; bench_stack_cd_day.py measures the same day through the stack.

Baselines, measured in the same run on the same day's files:
- floor: parse the day's CSVs and COPY every row into the staging tables (no validation, no
  master data, no ranks, no Dagster);
- legacy style: the same rows inserted with executemany in pages of 500, as the legacy
  `execute_batch` did (without its 0.2 s sleeps per KRX call).

Run: `uv run --project locations/cd python bench/bench_cd_daily.py [--kospi 950 --kosdaq 1700 --konex 130]`.
Postgres: the server of DAG_TEST_POSTGRES_URL if set, else an embedded PostgreSQL in a temp
folder; the benchmark works in a throw-away database it creates and drops.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import tempfile
import time
import uuid
import warnings
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_cd_history import postgres_server
from cd_krx_snapshots import write_day

DAYS = (date(2024, 1, 2), date(2024, 1, 3))
FILES = {"ohlcv.csv": "tmp_prices", "market_cap.csv": "tmp_marketcaps", "fundamental.csv": "tmp_bppedds"}
STAGED = {
    "tmp_prices": ("open", "high", "low", "close", "volume", "transaction", "rate"),
    "tmp_marketcaps": ("close", "marketcap", "volume", "transaction", "shares"),
    "tmp_bppedds": ("bps", "per", "pbr", "eps", "div", "dps"),
}


def run_day(sink: str, res: dict, day: date) -> float:
    import dagster as dg
    from dag_cd.defs.cd_daily.factory import build_daily_assets
    from dag_cd.defs.cd_daily.steps import DAY, DAY_EXCHANGE, STEPS

    assets = build_daily_assets(sink)
    per_exchange = [a for a, s in zip(assets, STEPS) if s.partitioning == DAY_EXCHANGE]
    per_day = [a for a, s in zip(assets, STEPS) if s.partitioning == DAY]
    instance = dg.DagsterInstance.ephemeral()
    quiet = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}
    started = time.perf_counter()
    for exchange in ("KOSPI", "KOSDAQ", "KONEX"):
        dg.materialize(
            per_exchange,
            partition_key=f"{day}|{exchange}",
            resources=res,
            instance=instance,
            run_config=quiet,
        )
    dg.materialize(per_day, partition_key=day.isoformat(), resources=res, instance=instance, run_config=quiet)
    return time.perf_counter() - started


def day_rows(root: Path, day: date) -> dict[str, list[tuple]]:
    rows: dict[str, list[tuple]] = {t: [] for t in STAGED}
    for market in ("KOSPI", "KOSDAQ", "KONEX"):
        for file, table in FILES.items():
            path = root / day.strftime("%Y%m%d") / market / file
            if path.is_file():
                with open(path, encoding="utf-8") as f:
                    reader = csv.reader(f)
                    next(reader)
                    rows[table] += [(day, market, r[0], *r[1:]) for r in reader]
    return rows


def baseline(db_url: str, root: Path, day: date, legacy: bool) -> float:
    import psycopg
    from dag_shared.resources.postgres import copy_rows

    started = time.perf_counter()
    rows = day_rows(root, day)
    with psycopg.connect(db_url) as conn, conn.transaction():
        for table, data in rows.items():
            columns = ("date", "exchange", "ticker", *STAGED[table])
            conn.execute(f"DELETE FROM {table}")
            if legacy:
                marks = ", ".join(["%s"] * len(columns))
                names = ", ".join(f'"{c}"' for c in columns)
                with conn.cursor() as cur:
                    for start in range(0, len(data), 500):
                        cur.executemany(
                            f"INSERT INTO {table} ({names}) VALUES ({marks})", data[start : start + 500]
                        )
            else:
                copy_rows(conn, table, columns, data)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--kospi", type=int, default=950)
    parser.add_argument("--kosdaq", type=int, default=1700)
    parser.add_argument("--konex", type=int, default=130)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    from dag_cd.defs.resources import LoadGuardsResource, LocalKrxResource
    from dag_shared.embedded_postgres import drop_database, ensure_database
    from dag_shared.resources.postgres import PostgresResource
    from dag_shared.resources.turso import TursoResource

    markets = {"KOSPI": args.kospi, "KOSDAQ": args.kosdaq, "KONEX": args.konex}
    with tempfile.TemporaryDirectory(prefix="bench_cd_daily_") as tmp:
        work = Path(tmp)
        os.chmod(work, 0o755)
        snapshots = work / "krx"
        for index, day in enumerate(DAYS):
            write_day(snapshots, day, index, markets)
        with postgres_server(work) as server_url:
            name = f"cd_bench_{uuid.uuid4().hex[:8]}"
            db_url = ensure_database(server_url, name)
            res = {
                "cd_postgres": PostgresResource(url=db_url),
                "cd_turso": TursoResource(local_path=str(work / "cd_turso.db")),
                "cd_krx": LocalKrxResource(snapshot_dir=str(snapshots)),
                "cd_load_guards": LoadGuardsResource(),
            }
            try:
                figures = {}
                for sink in ("postgres", "turso"):
                    first = run_day(sink, res, DAYS[0])
                    figures[sink] = (first, run_day(sink, res, DAYS[1]))
                floor = baseline(db_url, snapshots, DAYS[1], legacy=False)
                legacy = baseline(db_url, snapshots, DAYS[1], legacy=True)
                with res["cd_postgres"].connection() as conn:
                    tickers = conn.execute(
                        "SELECT count(*) FROM stockcodename WHERE date = %s", (DAYS[1],)
                    ).fetchone()[0]
                    facts = sum(
                        conn.execute(f"SELECT count(*) FROM {t} WHERE date = %s", (DAYS[1],)).fetchone()[0]
                        for t in ("price", "marketcap", "bppedd")
                    )
            finally:
                res["cd_postgres"].close()
                drop_database(server_url, name)
    print(f"day {DAYS[1]}: {tickers:,} tickers, {facts:,} fact rows (price + marketcap + bppedd)")
    for sink, (first, second) in figures.items():
        print(
            f"pipeline on {sink:8s}: {second:.1f} s for the day end to end (first day, empty warehouse: {first:.1f} s)"
            f" = {tickers / second:,.0f} tickers/s"
        )
    print(f"baseline floor (parse + COPY into staging only):        {floor:.2f} s")
    print(f"baseline legacy style (executemany pages of 500, no sleeps): {legacy:.2f} s")


if __name__ == "__main__":
    from cd_bench_env import ensure_cd_environment

    ensure_cd_environment(__file__)
    main()
