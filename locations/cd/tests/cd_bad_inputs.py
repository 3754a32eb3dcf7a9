"""The CD bad-input corpus: partial KRX days that must never reach the security master or gold.

Each case is generated from the bundled sample (so it follows the sample's contents as they grow)
into a copy of the snapshot folder: `make(root)` writes the bad files and returns what was cut.
Reuse: `copy_sample(tmp)`, then `BAD_INPUTS[name].make(tmp)`, then load the (day, exchange) with
`CD_KRX_SNAPSHOT_DIR=tmp`; the run must fail with a `LoadRefused` message containing `expect`.
"""

from __future__ import annotations

import csv
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from dag_cd.lib.krx import SAMPLE_SNAPSHOT_DIR

# The day cut and the good day before it: both sample days.
GOOD_DAY, BAD_DAY, NEXT_DAY = "2024-01-02", "2024-01-03", "2024-01-04"
EXCHANGE = "KOSPI"
KEEP = 3
# What the sample itself delists on BAD_DAY in EXCHANGE: 대원전선's common share (its preferred stays).
SAMPLE_DELISTED = ("006340",)


def copy_sample(root: Path) -> Path:
    shutil.copytree(SAMPLE_SNAPSHOT_DIR, root, dirs_exist_ok=True, ignore=shutil.ignore_patterns("*.md"))
    return root


def folder(root: Path, day: str, exchange: str = EXCHANGE) -> Path:
    return root / day.replace("-", "") / exchange


def read_tickers(path: Path) -> list[str]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return [row["티커"] for row in csv.DictReader(f)]


def cut_file(path: Path, keep: int | set[str]) -> list[str]:
    """Keep the header and the first `keep` records (or those of the tickers in `keep`); returns the
    tickers cut away."""
    with open(path, encoding="utf-8-sig", newline="") as f:
        header, *rows = [r for r in csv.reader(f) if r]
    kept = rows[:keep] if isinstance(keep, int) else [r for r in rows if r[0] in keep]
    with open(path, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([header, *kept])
    return [r[0] for r in rows if r not in kept]


@dataclass(frozen=True)
class BadInput:
    description: str
    day: str
    exchange: str
    expect: str  # a fragment of the refusal
    make: Callable[[Path], list[str]]  # writes the case into a sample copy; returns the tickers cut


def truncated_tickers(root: Path, day: str = BAD_DAY, exchange: str = EXCHANGE) -> list[str]:
    """Issue 9, item 4: tickers.csv cut to 3 tickers while ohlcv.csv still lists the whole exchange."""
    return cut_file(folder(root, day, exchange) / "tickers.csv", KEEP)


def truncated_exchange(root: Path, day: str = BAD_DAY, exchange: str = EXCHANGE) -> list[str]:
    """Every file of the day cut alike: they agree, but the list would delist most of the exchange."""
    where = folder(root, day, exchange)
    cut = cut_file(where / "tickers.csv", KEEP)
    kept = set(read_tickers(where / "tickers.csv"))
    for path in sorted(where.glob("*.csv")):
        if path.name != "tickers.csv":
            cut_file(path, kept)
    return cut


BAD_INPUTS: dict[str, BadInput] = {
    "truncated_tickers": BadInput(
        truncated_tickers.__doc__ or "", BAD_DAY, EXCHANGE, "the day's KRX files disagree", truncated_tickers
    ),
    "truncated_exchange": BadInput(
        truncated_exchange.__doc__ or "", BAD_DAY, EXCHANGE, "would delist", truncated_exchange
    ),
}
