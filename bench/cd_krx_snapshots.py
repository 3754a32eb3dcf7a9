"""Generator of KRX snapshot days for the CD benchmarks (generated data, not market data).

Writes `<root>/<YYYYMMDD>/<MARKET>/{tickers,ohlcv,market_cap,fundamental}.csv` in pykrx's
columns for a universe of about 2,800 tickers (KOSPI 950, KOSDAQ 1,700, KONEX 130 by default).
Day `index` > 0 lists a few new tickers, drops a few and renames a few, like a real day.

Run alone: `uv run --project locations/cd python bench/cd_krx_snapshots.py OUT_DIR [--days 2]`.
"""

from __future__ import annotations

import argparse
import csv
import random
from datetime import date
from pathlib import Path

MARKETS = {"KOSPI": 950, "KOSDAQ": 1700, "KONEX": 130}
HEADERS = {
    "tickers.csv": ["티커", "종목명"],
    "ohlcv.csv": ["티커", "시가", "고가", "저가", "종가", "거래량", "거래대금", "등락률"],
    "market_cap.csv": ["티커", "종가", "시가총액", "거래량", "거래대금", "상장주식수"],
    "fundamental.csv": ["티커", "BPS", "PER", "PBR", "EPS", "DIV", "DPS"],
}
_SYLLABLES = "가나다라마바사아자차카타파하삼성현대엘지에스케이전자화학바이오"


def universe(market: str, count: int, index: int) -> list[tuple[str, str]]:
    offset = {"KOSPI": 0, "KOSDAQ": 100_000, "KONEX": 300_000}[market]
    rng = random.Random(f"{market}")
    rows = []
    for i in range(count + 5):
        name = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 6)))
        if i % 40 == 0:
            name += "우"  # some names end in 우 (preferred or not)
        rows.append((f"{offset + i * 3:06d}", f"{name}{i}"))
    base = rows[:count]
    if index:  # the next day: 5 new listings, 3 delistings, 2 renames
        base = [r for j, r in enumerate(base) if j not in (10, 20, 30)] + rows[count:count + 5]
        base = [(t, n + "홀딩스") if j in (40, 50) else (t, n) for j, (t, n) in enumerate(base)]
    return base


def write_day(root: Path, day: date, index: int = 0, markets: dict[str, int] = MARKETS) -> int:
    rng = random.Random(f"{day}")
    rows_written = 0
    for market, count in markets.items():
        folder = root / day.strftime("%Y%m%d") / market
        folder.mkdir(parents=True, exist_ok=True)
        tickers = universe(market, count, index)
        data = {name: [] for name in HEADERS}
        for ticker, name in tickers:
            close = rng.randint(100, 900_000)
            volume = rng.randint(0, 5_000_000)
            shares = rng.randint(1_000_000, 6_000_000_000)
            data["tickers.csv"].append((ticker, name))
            data["ohlcv.csv"].append((ticker, close, close + 100, max(close - 100, 1), close, volume, volume * close,
                                      round(rng.uniform(-30, 30), 2)))
            data["market_cap.csv"].append((ticker, close, close * shares, volume, volume * close, shares))
            data["fundamental.csv"].append((ticker, rng.randint(0, 500_000), round(rng.uniform(-50, 200), 2),
                                            round(rng.uniform(0, 20), 2), rng.randint(-5000, 50000),
                                            round(rng.uniform(0, 10), 2), rng.randint(0, 5000)))
        for file, rows in data.items():
            if file == "fundamental.csv" and market == "KONEX":
                continue  # KRX publishes no fundamentals for KONEX
            with open(folder / file, "w", newline="", encoding="utf-8") as f:
                writer = csv.writer(f)
                writer.writerow(HEADERS[file])
                writer.writerows(rows)
            rows_written += len(rows)
    return rows_written


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("--days", type=int, default=2)
    args = parser.parse_args()
    for i, day in enumerate([date(2024, 1, 2), date(2024, 1, 3), date(2024, 1, 4)][: args.days]):
        print(day, write_day(args.out, day, i), "rows")
