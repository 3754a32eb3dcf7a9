"""Generator of CD history rows for the benchmarks (generated data, not market data).

Fills a DuckDB table shaped like the history staging table `historical_prices` (date, exchange,
ticker, open, high, low, close, volume, transaction, rate) with `rows` rows: about 2,800 tickers
per trading day over consecutive days, as a 21-year daily KRX history would have (~15 M rows).

Run alone: `uv run --project locations/cd python bench/cd_history_rows.py OUT.duckdb [--rows 15000000]`.
"""

from __future__ import annotations

import argparse

TICKERS_PER_DAY = 2800


def generate(conn, rows: int, table: str = "historical_prices") -> int:
    """(Re)create `table` in the open DuckDB connection with `rows` generated price rows."""
    conn.execute(f"DROP TABLE IF EXISTS {table}")
    conn.execute(
        f"""CREATE TABLE {table} AS SELECT
            DATE '2004-01-02' + CAST(i // {TICKERS_PER_DAY} AS INTEGER) AS date,
            CASE WHEN i % {TICKERS_PER_DAY} < 950 THEN 'KOSPI'
                 WHEN i % {TICKERS_PER_DAY} < 2650 THEN 'KOSDAQ' ELSE 'KONEX' END AS exchange,
            lpad(CAST(i % {TICKERS_PER_DAY} * 3 AS VARCHAR), 6, '0') AS ticker,
            CAST(1000 + i % 9973 AS BIGINT) AS open, CAST(1100 + i % 9973 AS BIGINT) AS high,
            CAST(900 + i % 9973 AS BIGINT) AS low, CAST(1050 + i % 9973 AS BIGINT) AS close,
            CAST(i % 1000003 AS BIGINT) AS volume, CAST(i % 1000003 AS BIGINT) * 1050 AS "transaction",
            CAST(i % 6001 - 3000 AS DOUBLE) / 100 AS rate
        FROM range({rows}) AS t(i)"""
    )
    return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


if __name__ == "__main__":
    import duckdb

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out")
    parser.add_argument("--rows", type=int, default=15_000_000)
    args = parser.parse_args()
    with duckdb.connect(args.out) as conn:
        print(generate(conn, args.rows), "rows in", args.out)
