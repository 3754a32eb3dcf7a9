"""The CD part of the bad-input corpus (tests_faults/bad_inputs/cd/<kind>/<file>), in the cd environment.

Each KRX snapshot file is read as the day's load reads it and fails naming the file, line and
column. Then it replaces its file in a copy of the sample's 2024-01-03 KOSPI, over a loaded
2024-01-02: the 2024-01-03 load fails, and 2024-01-02 (every table's rows) is what it was.

Run: cd locations/cd && ../../scripts/uv.sh run --frozen pytest ../../tests_faults/bad_inputs/test_cd_bad_inputs.py
"""

from __future__ import annotations

import shutil
import sys
from datetime import date
from pathlib import Path

import dagster as dg
import pytest
from dag_cd.lib.facts import FACTS, validate_frame
from dag_cd.lib.krx import SAMPLE_SNAPSHOT_DIR, KrxDataError, read_snapshot_csv

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "locations" / "cd" / "tests"))
from cd_support import assets, query, resources

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import oversized

CORPUS = Path(__file__).parent / "cd"
DATASETS = {"tickers.csv": "tickers", "ohlcv.csv": "ohlcv", "market_cap.csv": "market_cap"}
QUIET = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}

# kind → fragment of the error after the file's path
EXPECTED = {
    "cp949_instead_of_utf8": ", line 1, column 6: not UTF-8 (byte 0xc1",
    "changed_header": ", line 1: header ['티커', '시가', '고가', '저가', '종가(원)'",
    "truncated_mid_record": ", line 6, column 7: 6 fields, expected 8",
    "html_error_page": ", line 1, column 1: an HTML page, not a KRX CSV file",
    "wrong_field_count": ", line 4, column 8: 7 fields, expected 8",
    "non_numeric_close": ", line 3, column '종가': 'N/A' is not a number",
    "duplicate_ticker": ", line 7, column '티커': ticker 005935 appears twice",
    "empty": ", line 1: the file is empty",
    "bad_ticker": ", line 2, column '티커': 'ABC-12' is not a KRX ticker",
    "empty_name": ", line 3, column '종목명': empty name",
}


def _file(kind: str) -> Path:
    [path] = sorted((CORPUS / kind).glob("*.csv"))
    return path


@pytest.mark.parametrize("kind", sorted(EXPECTED))
def test_a_bad_krx_file_fails_naming_file_line_and_column(kind):
    path = _file(kind)
    with pytest.raises(KrxDataError) as error:
        read_snapshot_csv(path, DATASETS[path.name])
    assert str(error.value).startswith(str(path)), error.value
    assert EXPECTED[kind] in str(error.value), error.value
    print(f"\ncd {kind}: {error.value}")


def test_a_header_without_records_is_an_empty_answer_refused_on_a_trading_day():
    path = _file("header_only")
    frame = read_snapshot_csv(path, "ohlcv")
    with pytest.raises(KrxDataError, match="an empty answer on a trading day is an error") as error:
        validate_frame(FACTS["price"], frame, date(2024, 1, 3), "KOSPI")
    assert str(path) in str(error.value)


def test_an_oversized_file_is_refused_before_it_is_read(tmp_path):
    path = oversized(tmp_path / "ohlcv.csv", 3 * 1024**3)  # sparse: no disk space used
    with pytest.raises(KrxDataError, match=r"ohlcv\.csv: 3221225472 bytes, more than the 67108864"):
        read_snapshot_csv(path, "ohlcv")


# -- nothing already loaded is lost ------------------------------------------------------------


@pytest.fixture(scope="module")
def loaded(tmp_path_factory, postgres_server_url):
    from dag_shared.embedded_postgres import drop_database, ensure_database

    folder = tmp_path_factory.mktemp("cd-faults")
    snapshots = folder / "krx"
    shutil.copytree(SAMPLE_SNAPSHOT_DIR, snapshots, ignore=shutil.ignore_patterns("*.md"))
    database = f"dag_faults_cd_{folder.name[-6:].replace('-', '_')}"
    url = ensure_database(postgres_server_url, database)
    (folder / "data").mkdir()
    res = resources(url, folder / "data", snapshots)
    assert _load_quietly(res, "2024-01-02|KOSPI").success
    yield {"res": res, "snapshots": snapshots}
    drop_database(postgres_server_url, database)


def _load_quietly(res: dict, partition: str) -> dg.ExecuteInProcessResult:
    """cd_support.materialize_exchange without the console log of every step."""
    from dag_cd.defs.cd_daily.steps import DAY_EXCHANGE, STEPS

    chosen = [a for a, s in zip(assets("postgres"), STEPS) if s.partitioning == DAY_EXCHANGE]
    return dg.materialize(
        chosen, partition_key=partition, resources=res, run_config=QUIET, raise_on_error=False
    )


def _day_rows(res: dict) -> dict[str, list]:
    return {
        table: query(res, f"SELECT * FROM {table} WHERE date = ? ORDER BY 1, 2, 3", ("2024-01-02",))
        for table in ("price", "marketcap", "bppedd", "stockcodename")
    }


@pytest.mark.parametrize("kind", sorted([*EXPECTED, "header_only"]))
def test_a_bad_file_in_the_next_day_leaves_the_loaded_day_as_it_was(loaded, kind):
    res, snapshots = loaded["res"], loaded["snapshots"]
    before = _day_rows(res)
    source = _file(kind)
    target = snapshots / "20240103" / "KOSPI" / source.name
    good = target.read_bytes()
    shutil.copy(source, target)
    try:
        result = _load_quietly(res, "2024-01-03|KOSPI")
    finally:
        target.write_bytes(good)
    failures = [event.event_specific_data.error.message for event in result.get_step_failure_events()]
    assert not result.success and any(str(target) in message for message in failures), failures
    assert _day_rows(res) == before and before["price"]
    first = failures[0].strip().splitlines()[0].split("Failure: ", 1)[-1]
    print(f"\ncd {kind} as 2024-01-03 KOSPI: load failed ({first}); 2024-01-02 unchanged")
