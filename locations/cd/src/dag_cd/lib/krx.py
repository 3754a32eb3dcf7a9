"""The KRX source: one interface, a local (snapshot files) and a live (pykrx) implementation.

Both return `KrxFrame`s with English column names mapped from pykrx's Korean column names by
name, never by position. The local implementation (the default) reads
`<snapshot_dir>/<YYYYMMDD>/<MARKET>/{tickers,ohlcv,market_cap,fundamental}.csv`, the contract our
acceptance checks use; bad input fails with the file, line and column. The Dagster resources
choosing between them when a run starts are in `dag_cd.defs.resources`.
"""

from __future__ import annotations

import csv
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

EXCHANGES = ("KOSPI", "KOSDAQ", "KONEX")
SAMPLE_SNAPSHOT_DIR = Path(__file__).parent / "sample_krx"

# dataset -> (file name, pykrx column -> our column, numeric columns that must not all be zero)
TICKER_COLUMN = "티커"
DATASETS: dict[str, tuple[str, dict[str, str]]] = {
    "tickers": ("tickers.csv", {"종목명": "name"}),
    "ohlcv": (
        "ohlcv.csv",
        {"시가": "open", "고가": "high", "저가": "low", "종가": "close", "거래량": "volume",
         "거래대금": "transaction", "등락률": "rate"},
    ),
    "market_cap": (
        "market_cap.csv",
        {"종가": "close", "시가총액": "marketcap", "거래량": "volume", "거래대금": "transaction",
         "상장주식수": "shares"},
    ),
    "fundamental": (
        "fundamental.csv",
        {"BPS": "bps", "PER": "per", "PBR": "pbr", "EPS": "eps", "DIV": "div", "DPS": "dps"},
    ),
}  # fmt: skip
FLOAT_COLUMNS = frozenset({"rate", "per", "pbr", "div"})
_ENGLISH = {korean: english for _, mapping in DATASETS.values() for korean, english in mapping.items()}
_TICKER = re.compile(r"^[0-9A-Z]{1,6}$")
# A day's file of one exchange is well under 1 MB; anything this large is not a KRX answer, and is
# refused before it is read into memory.
MAX_SNAPSHOT_BYTES = 64 * 1024 * 1024


class KrxDataError(ValueError):
    """KRX data that cannot be loaded as it is; the message names the file, line and column."""


@dataclass
class KrxFrame:
    """One KRX answer for a (date, market): `ticker` first, then the dataset's columns."""

    dataset: str
    columns: tuple[str, ...]
    rows: list[tuple] = field(default_factory=list)
    origin: str = ""

    @property
    def empty(self) -> bool:
        return not self.rows

    def all_zero(self) -> bool:
        """Every numeric field of every row is 0: KRX's answer for a day it did not trade."""
        return bool(self.rows) and all(not any(v for v in row[1:]) for row in self.rows)


def _expected_columns(dataset: str) -> tuple[str, ...]:
    return ("ticker", *DATASETS[dataset][1].values())


def _parse_number(text: str, column: str, where: str) -> int | float:
    """`column` is the pykrx (Korean) column name; its English name decides int or float."""
    text = text.strip()
    try:
        if _ENGLISH[column] in FLOAT_COLUMNS:
            return float(text)
        return int(text)
    except ValueError:
        raise KrxDataError(f"{where}, column {column!r}: {text!r} is not a number") from None


def normalise_ticker(value: str, where: str) -> str:
    """Tickers are 6-character codes; numeric ones lost their leading zeros in some exports."""
    text = value.strip().upper()
    if not _TICKER.match(text):
        raise KrxDataError(f"{where}, column '티커': {value!r} is not a KRX ticker")
    return text.zfill(6)


def read_snapshot_csv(path: Path, dataset: str) -> KrxFrame:
    """Read one snapshot file, checking its header by name and every value's type."""
    mapping = DATASETS[dataset][1]
    expected_header = [TICKER_COLUMN, *mapping]
    frame = KrxFrame(dataset, _expected_columns(dataset), origin=str(path))
    size = path.stat().st_size
    if size > MAX_SNAPSHOT_BYTES:
        raise KrxDataError(
            f"{path}: {size} bytes, more than the {MAX_SNAPSHOT_BYTES} a KRX day file may have"
        )
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line, column = _position(raw, error.start)
        raise KrxDataError(
            f"{path}, line {line}, column {column}: not UTF-8 (byte {raw[error.start]:#04x}: {error.reason})"
        ) from None
    reader = csv.reader(text.splitlines())
    header = next(reader, None)
    if header is None:
        raise KrxDataError(f"{path}, line 1: the file is empty (expected header {expected_header})")
    header = [h.strip() for h in header]
    if header and header[0].lstrip().startswith("<"):
        raise KrxDataError(f"{path}, line 1, column 1: an HTML page, not a KRX CSV file: {header[0][:80]!r}")
    if sorted(header) != sorted(expected_header) or header[0] != TICKER_COLUMN:
        raise KrxDataError(f"{path}, line 1: header {header} is not {expected_header}")
    positions = [header.index(name) for name in expected_header]
    seen: set[str] = set()
    for line_no, record in enumerate(reader, start=2):
        if not record:
            continue
        where = f"{path}, line {line_no}"
        if len(record) != len(header):
            column = min(len(record), len(header)) + 1
            raise KrxDataError(f"{where}, column {column}: {len(record)} fields, expected {len(header)}")
        ticker = normalise_ticker(record[positions[0]], where)
        if ticker in seen:
            raise KrxDataError(f"{where}, column '티커': ticker {ticker} appears twice")
        seen.add(ticker)
        values: list = [ticker]
        for korean, position in zip(expected_header[1:], positions[1:]):
            raw = record[position]
            if dataset == "tickers":
                if not raw.strip():
                    raise KrxDataError(f"{where}, column {korean!r}: empty name")
                values.append(raw.strip())
            else:
                values.append(_parse_number(raw, korean, where))
        frame.rows.append(tuple(values))
    return frame


def _position(raw: bytes, offset: int) -> tuple[int, int]:
    """(line, column) of a byte offset, both from 1; the column counts bytes."""
    line_start = raw.rfind(b"\n", 0, offset) + 1
    return raw.count(b"\n", 0, offset) + 1, offset - line_start + 1


class KrxSource(ABC):
    """What the CD steps ask KRX for; every method answers for one date and one market."""

    @abstractmethod
    def fetch(self, dataset: str, day: date, market: str) -> KrxFrame: ...

    def retries_may_help(self) -> bool:
        """Whether a failed answer may succeed when asked again (live KRX), or never (files)."""
        return False


def read_snapshot(snapshot_dir: str | Path, dataset: str, day: date, market: str) -> KrxFrame:
    """One answer from a snapshot folder; a missing file is an empty answer."""
    if market not in EXCHANGES:
        raise ValueError(f"unknown market {market!r}")
    path = Path(snapshot_dir) / day.strftime("%Y%m%d") / market / DATASETS[dataset][0]
    if not path.is_file():
        return KrxFrame(dataset, _expected_columns(dataset), origin=f"{path} (missing)")
    return read_snapshot_csv(path, dataset)


def pykrx_stock(krx_id: str | None, krx_pw: str | None):
    """pykrx's `stock` module, logged in with the given credentials (pykrx >= 1.2 reads them from
    the environment when it is imported, so they are put there first)."""
    import os

    if krx_id and krx_pw:
        os.environ["KRX_ID"], os.environ["KRX_PW"] = krx_id, krx_pw
    from pykrx import stock

    return stock


def fetch_pykrx(stock, dataset: str, day: date, market: str) -> KrxFrame:
    """One live KRX answer through pykrx's `stock` module."""
    if market not in EXCHANGES:
        raise ValueError(f"unknown market {market!r}")
    ymd = day.strftime("%Y%m%d")
    origin = f"pykrx {dataset} {ymd} {market}"
    if dataset == "tickers":
        tickers = stock.get_market_ticker_list(date=ymd, market=market)
        # The same KRX answer carries each ticker's name of that day (ISU_ABBRV).
        names = _ticker_names(ymd, market) or {t: stock.get_market_ticker_name(t) for t in tickers}
        rows = [(normalise_ticker(t, origin), names[t]) for t in tickers]
        return KrxFrame(dataset, _expected_columns(dataset), rows, origin)
    getter = {
        "ohlcv": stock.get_market_ohlcv,
        "market_cap": stock.get_market_cap,
        "fundamental": stock.get_market_fundamental,
    }[dataset]
    try:
        df = getter(ymd, market=market)
    except KeyError as error:  # pykrx indexes the columns of an empty KRX answer and fails
        return KrxFrame(dataset, _expected_columns(dataset), origin=f"{origin} (empty answer: {error})")
    return frame_from_pandas(df, dataset, origin)


def _ticker_names(ymd: str, market: str) -> dict[str, str]:
    """Names of that day's tickers from the ticker-list endpoint itself, when pykrx exposes it."""
    try:
        from pykrx.website.krx.market.wrap import get_market_ticker_and_name
    except ImportError:
        return {}
    series = get_market_ticker_and_name(ymd, market)
    return {str(k): str(v) for k, v in series.items()} if series is not None else {}


def frame_from_pandas(df, dataset: str, origin: str) -> KrxFrame:
    """A pykrx DataFrame (index 티커) as a KrxFrame, columns picked by name; extra columns ignored."""
    mapping = DATASETS[dataset][1]
    frame = KrxFrame(dataset, _expected_columns(dataset), origin=origin)
    if df is None or len(df) == 0:
        return frame
    df = df.reset_index()
    missing = [c for c in [TICKER_COLUMN, *mapping] if c not in df.columns]
    if missing:
        raise KrxDataError(f"{origin}: columns {missing} missing from {list(df.columns)}")
    for position, record in enumerate(df[[TICKER_COLUMN, *mapping]].itertuples(index=False), 1):
        where = f"{origin}, row {position}"
        values: list = [normalise_ticker(str(record[0]), where)]
        for korean, value in zip(mapping, record[1:]):
            values.append(float(value) if mapping[korean] in FLOAT_COLUMNS else int(value))
        frame.rows.append(tuple(values))
    return frame
