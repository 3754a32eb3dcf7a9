"""Generator of KRX snapshot days for the CD benchmarks (generated data, not market data).

Writes `<root>/<YYYYMMDD>/<MARKET>/{tickers,ohlcv,market_cap,fundamental}.csv` in pykrx's
columns for a universe of about 2,800 tickers (KOSPI 950, KOSDAQ 1,700, KONEX 130 by default),
with the variety of names a real market holds: Hangul, Latin acronyms of every letter, mixed
scripts, ETF and ETN names, digits, spaces, `&`, `-`, `.` and preferred-share suffixes.
Day `index` > 0 lists a few new tickers, drops a few and renames a few, like a real day.

Run alone: `uv run --project locations/cd python bench/cd_krx_snapshots.py OUT_DIR [--days 2]`.
"""

from __future__ import annotations

import argparse
import csv
import random
import string
from datetime import date
from pathlib import Path

MARKETS = {"KOSPI": 950, "KOSDAQ": 1700, "KONEX": 130}
HEADERS = {
    "tickers.csv": ["티커", "종목명"],
    "ohlcv.csv": ["티커", "시가", "고가", "저가", "종가", "거래량", "거래대금", "등락률"],
    "market_cap.csv": ["티커", "종가", "시가총액", "거래량", "거래대금", "상장주식수"],
    "fundamental.csv": ["티커", "BPS", "PER", "PBR", "EPS", "DIV", "DPS"],
}
_SYLLABLES = "가나다라마바사아자차카타파하삼성현대엘지에스케이전자화학바이오금융지주솔루션홀딩스"
# The kinds of names a real KRX list holds (BNK금융지주, BYC, CJ ENM, LS ELECTRIC, F&F, S-Oil, E1,
# JYP Ent., KODEX 200, TIGER 미국S&P500, ETNs, preferred 우 / 2우B): every tenth name of each kind.
_WORDS = ("ELECTRIC", "Ent.", "Oil", "Holdings", "Tech", "Bio", "ENM", "Steel")
_ETF_BRANDS = ("KODEX", "TIGER", "KBSTAR", "ARIRANG", "HANARO", "ACE", "SOL", "RISE")
_ETF_INDEXES = ("200", "코스닥150", "미국S&P500", "미국나스닥100", "2차전지산업", "200선물인버스2X", "WTI원유선물(H)",
                "K-반도체", "Fn&가이드 TOP10", "미국채10년")  # fmt: skip
_ETN_ISSUERS = ("신한", "삼성", "미래에셋", "NH", "KB", "한투")
_PREFERRED_SUFFIXES = ("우", "2우B", "1우", " 우", "3우C", "우(전환)")


class _Namer:
    """Deterministic names of every kind; Latin acronyms start with each letter in turn."""

    def __init__(self, rng: random.Random) -> None:
        self.rng, self.letters = rng, 0

    def hangul(self) -> str:
        return "".join(self.rng.choice(_SYLLABLES) for _ in range(self.rng.randint(2, 5)))

    def acronym(self) -> str:
        first = string.ascii_uppercase[self.letters % 26]
        self.letters += 1
        return first + "".join(self.rng.choice(string.ascii_uppercase) for _ in range(self.rng.randint(0, 3)))

    def name(self, kind: int) -> str:
        rng = self.rng
        if kind == 4:
            return self.acronym() + self.hangul()  # SK하이닉스, BNK금융지주
        if kind == 5:
            return self.acronym()  # BYC, GKL
        if kind == 6:
            return (
                f"{self.acronym()} {rng.choice((self.acronym(), *_WORDS))}"  # CJ ENM, LS ELECTRIC, JYP Ent.
            )
        if kind == 7:
            tail = rng.choice((f"&{self.acronym()}", f"-{rng.choice(_WORDS)}", str(rng.randint(1, 9))))
            return self.acronym() + tail  # F&F, S-Oil, E1
        if kind == 8:
            return f"{rng.choice(_ETF_BRANDS)} {rng.choice(_ETF_INDEXES)}"  # KODEX 200, TIGER 미국S&P500
        if kind == 9:
            return f"{rng.choice(_ETN_ISSUERS)} 인버스 {self.acronym()}{self.hangul()} 선물 ETN"
        return self.hangul()


def universe(market: str, count: int, index: int) -> list[tuple[str, str]]:
    offset = {"KOSPI": 0, "KOSDAQ": 100_000, "KONEX": 300_000}[market]
    namer = _Namer(random.Random(f"{market}"))
    rows: list[tuple[str, str]] = []
    seen: set[str] = set()
    for i in range(count + 5):
        if i % 40 == 1:  # a preferred share of the company listed just before (삼성전자우, 현대차2우B)
            name = rows[-1][1] + namer.rng.choice(_PREFERRED_SUFFIXES)
        elif i % 40 == 21:
            name = namer.hangul() + "우"  # ends in 우 without being preferred (미래에셋대우)
        else:
            name = namer.name(i % 10)
        if name in seen:
            name = f"{name}{i}"  # KRX names are unique
        seen.add(name)
        rows.append((f"{offset + i * 3:06d}", name))
    base = rows[:count]
    if index:  # the next day: 5 new listings, 3 delistings, 2 renames
        base = [r for j, r in enumerate(base) if j not in (10, 20, 30)] + rows[count : count + 5]
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
            data["ohlcv.csv"].append(
                (
                    ticker,
                    close,
                    close + 100,
                    max(close - 100, 1),
                    close,
                    volume,
                    volume * close,
                    round(rng.uniform(-30, 30), 2),
                )
            )
            data["market_cap.csv"].append((ticker, close, close * shares, volume, volume * close, shares))
            data["fundamental.csv"].append(
                (
                    ticker,
                    rng.randint(0, 500_000),
                    round(rng.uniform(-50, 200), 2),
                    round(rng.uniform(0, 20), 2),
                    rng.randint(-5000, 50000),
                    round(rng.uniform(0, 10), 2),
                    rng.randint(0, 5000),
                )
            )
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
