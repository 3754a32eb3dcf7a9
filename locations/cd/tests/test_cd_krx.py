"""The KRX source: snapshot files in pykrx's layout, mapped by column name, strict about bad input."""

from datetime import date

import pandas as pd
import pytest
from cd_support import HEADERS, write_day
from dag_cd.defs.resources import LocalKrxResource, krx_resource
from dag_cd.lib.krx import SAMPLE_SNAPSHOT_DIR, KrxDataError, frame_from_pandas

DAY = date(2024, 1, 2)


def test_the_bundled_sample_snapshots_read_for_every_market():
    krx = LocalKrxResource(snapshot_dir=str(SAMPLE_SNAPSHOT_DIR))
    for market in ("KOSPI", "KOSDAQ", "KONEX"):
        tickers = krx.fetch("tickers", DAY, market)
        ohlcv = krx.fetch("ohlcv", DAY, market)
        assert len(tickers.rows) == len(ohlcv.rows) > 0
        assert all(len(t) == 6 for t, _ in tickers.rows)
    assert krx.fetch("fundamental", DAY, "KONEX").empty  # KRX publishes none for KONEX


def test_snapshot_columns_are_mapped_by_name_not_by_position(tmp_path):
    folder = tmp_path / "20240102" / "KOSPI"
    folder.mkdir(parents=True)
    (folder / "market_cap.csv").write_text(
        "티커,상장주식수,종가,거래대금,시가총액,거래량\n5930,100,70000,7000000,7000000000,100\n",
        encoding="utf-8",
    )
    frame = LocalKrxResource(snapshot_dir=str(tmp_path)).fetch("market_cap", DAY, "KOSPI")
    assert frame.columns == ("ticker", "close", "marketcap", "volume", "transaction", "shares")
    assert frame.rows == [("005930", 70000, 7000000000, 100, 7000000, 100)]


def test_a_non_numeric_value_fails_naming_the_file_line_and_column(tmp_path):
    write_day(
        tmp_path, "2024-01-02", "KOSPI", [("005930", "삼성전자", 70000, 10), ("000660", "SK하이닉스", 1, 1)]
    )
    path = tmp_path / "20240102" / "KOSPI" / "ohlcv.csv"
    path.write_text(
        path.read_text(encoding="utf-8").replace("\n000660,1,", "\n000660,abc,"), encoding="utf-8"
    )
    with pytest.raises(KrxDataError, match=r"ohlcv\.csv, line 3, column '시가': 'abc' is not a number"):
        LocalKrxResource(snapshot_dir=str(tmp_path)).fetch("ohlcv", DAY, "KOSPI")


def test_a_changed_header_or_a_short_row_fails_naming_the_file_and_line(tmp_path):
    folder = tmp_path / "20240102" / "KOSPI"
    folder.mkdir(parents=True)
    (folder / "tickers.csv").write_text("ticker,name\n005930,삼성전자\n", encoding="utf-8")
    krx = LocalKrxResource(snapshot_dir=str(tmp_path))
    with pytest.raises(KrxDataError, match=r"tickers\.csv, line 1: header"):
        krx.fetch("tickers", DAY, "KOSPI")
    (folder / "tickers.csv").write_text("티커,종목명\n005930\n", encoding="utf-8")
    with pytest.raises(KrxDataError, match=r"tickers\.csv, line 2, column 2: 1 fields, expected 2"):
        krx.fetch("tickers", DAY, "KOSPI")


def test_a_file_that_is_not_utf8_fails_naming_the_file_line_and_column(tmp_path):
    folder = tmp_path / "20240102" / "KOSPI"
    folder.mkdir(parents=True)
    (folder / "tickers.csv").write_bytes(
        ",".join(HEADERS["tickers.csv"]).encode("utf-8") + b"\n005930,\xbb\xef\n"
    )
    with pytest.raises(KrxDataError, match=r"tickers\.csv, line 2, column 8: not UTF-8 \(byte 0xbb"):
        LocalKrxResource(snapshot_dir=str(tmp_path)).fetch("tickers", DAY, "KOSPI")


def test_a_missing_file_is_an_empty_answer_and_an_all_zero_file_reads_as_a_holiday(tmp_path):
    write_day(tmp_path, "2024-01-02", "KOSPI", [("005930", "삼성전자", 70000, 10)], all_zero=True)
    krx = LocalKrxResource(snapshot_dir=str(tmp_path))
    assert krx.fetch("ohlcv", DAY, "KOSDAQ").empty
    frame = krx.fetch("ohlcv", DAY, "KOSPI")
    assert not frame.empty and frame.all_zero()


def test_pykrx_frames_are_mapped_by_name_whatever_their_column_order():
    # pykrx 1.2 returns 시가총액 as an extra column of get_market_ohlcv; older versions lack it.
    df = pd.DataFrame(
        {
            "티커": ["005930"],
            "시가총액": [1],
            "종가": [70000],
            "시가": [69000],
            "고가": [71000],
            "저가": [68000],
            "거래량": [10],
            "거래대금": [700000],
            "등락률": [1.5],
        }
    ).set_index("티커")
    frame = frame_from_pandas(df, "ohlcv", "pykrx test")
    assert frame.rows == [("005930", 69000, 71000, 68000, 70000, 10, 700000, 1.5)]
    with pytest.raises(KrxDataError, match="columns"):
        frame_from_pandas(df.drop(columns=["등락률"]), "ohlcv", "pykrx test")


def test_the_source_is_local_snapshots_unless_pykrx_is_asked_for(monkeypatch, tmp_path):
    monkeypatch.setenv("CD_KRX_SNAPSHOT_DIR", str(tmp_path))
    monkeypatch.delenv("CD_KRX_SOURCE", raising=False)
    assert krx_resource().snapshot_dir == str(tmp_path)
    monkeypatch.setenv("CD_KRX_SOURCE", "pykrx")
    monkeypatch.setenv("KRX_ID", "someone")
    assert type(krx_resource()).__name__ == "PykrxResource" and krx_resource().krx_id == "someone"
    monkeypatch.setenv("CD_KRX_SOURCE", "web")
    with pytest.raises(ValueError, match="CD_KRX_SOURCE"):
        krx_resource()
