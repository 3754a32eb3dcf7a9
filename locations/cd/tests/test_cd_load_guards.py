"""A partial KRX day never replaces good data: the day's files are cross-checked before the security
master is touched, a delisting wave needs the next day's list or an override, and the day's gold
runs only when every exchange of the day loaded (issue 9, item 4). Counts come from the sample."""

from __future__ import annotations

import pytest
from cd_bad_inputs import (
    BAD_DAY,
    BAD_INPUTS,
    EXCHANGE,
    GOOD_DAY,
    NEXT_DAY,
    SAMPLE_DELISTED,
    copy_sample,
    folder,
    read_tickers,
    truncated_exchange,
)
from cd_support import materialize_exchange, materialize_gold, query, resources
from dag_cd.lib.guards import GOLD_ACCEPT_MISSING_VAR, LISTING_OVERRIDE_VAR
from dag_cd.lib.krx import EXCHANGES
from dag_cd.lib.schema import TABLES, VOLATILE_COLUMNS


def failure_messages(result) -> list[str]:
    return [e.event_specific_data.error.to_string() for e in result.all_events if e.is_step_failure]


def load_day(sink: str, res: dict, day: str, gold: bool = True) -> None:
    for exchange in EXCHANGES:
        materialize_exchange(sink, res, day, exchange)
    if gold:
        materialize_gold(sink, res, day)


def state(res: dict, sink: str = "postgres") -> dict[str, list[tuple]]:
    """Every table's rows without the wall-clock columns, in a stable order."""
    tables = {}
    for name, spec in TABLES.items():
        columns = [c for c in spec.column_names if c not in VOLATILE_COLUMNS]
        rows = query(
            res, f"SELECT {', '.join(f'{chr(34)}{c}{chr(34)}' for c in columns)} FROM {name}", sink=sink
        )
        tables[name] = sorted(tuple(str(v) for v in row) for row in rows)
    return tables


def master(res: dict, sink: str = "postgres") -> dict[str, list[tuple]]:
    """The security master, companies and ranks: what a partial day must never change."""
    full = state(res, sink)
    return {t: full[t] for t in ("security", "company", "security_rank")}


@pytest.fixture
def snapshots(tmp_path):
    return copy_sample(tmp_path / "krx")


@pytest.mark.parametrize("sink", ["postgres", "turso"])
def test_a_ticker_list_cut_short_while_ohlcv_lists_the_exchange_fails_and_leaves_the_master_untouched(
    sink, postgres_url, data_dir, snapshots
):
    ohlcv = read_tickers(folder(snapshots, BAD_DAY) / "ohlcv.csv")
    cut = BAD_INPUTS["truncated_tickers"].make(snapshots)
    kept = read_tickers(folder(snapshots, BAD_DAY) / "tickers.csv")
    assert len(kept) == 3 and len(cut) == len(ohlcv) - 3 > 0
    res = resources(postgres_url, data_dir, snapshots)
    load_day(sink, res, GOOD_DAY)
    before = master(res, sink)

    result = materialize_exchange(sink, res, BAD_DAY, EXCHANGE, raise_on_error=False)

    assert not result.success
    [message] = failure_messages(result)
    assert "LoadRefused" in message and BAD_INPUTS["truncated_tickers"].expect in message
    assert f"{BAD_DAY} {EXCHANGE}" in message
    assert f"{folder(snapshots, BAD_DAY) / 'tickers.csv'} has 3 tickers" in message
    assert (
        f"{folder(snapshots, BAD_DAY) / 'ohlcv.csv'} has {len(ohlcv)} tickers: {len(cut)} not in" in message
    )
    assert f"{folder(snapshots, BAD_DAY) / 'market_cap.csv'} has" in message
    assert f"{LISTING_OVERRIDE_VAR}={BAD_DAY}|{EXCHANGE}" in message
    assert master(res, sink) == before
    assert query(
        res,
        "SELECT count(*) FROM stockcodename WHERE date = ? AND exchange = ?",
        (BAD_DAY, EXCHANGE),
        sink=sink,
    ) == [(0,)]

    # The other exchanges of the day load; the day's gold refuses, naming the one that failed.
    for exchange in EXCHANGES:
        if exchange != EXCHANGE:
            materialize_exchange(sink, res, BAD_DAY, exchange)
    before = master(res, sink)
    gold = materialize_gold(sink, res, BAD_DAY, raise_on_error=False)
    assert not gold.success
    [message] = failure_messages(gold)
    assert f"CD gold {BAD_DAY}: {EXCHANGE} of {BAD_DAY} did not load successfully" in message
    assert not any(
        f"{x} did not load" in message or f"{x} of {BAD_DAY}" in message for x in EXCHANGES if x != EXCHANGE
    )
    assert gold.get_asset_materialization_events() == []
    assert master(res, sink) == before
    assert query(res, "SELECT count(*) FROM security_rank WHERE rank_date = ?", (BAD_DAY,), sink=sink) == [
        (0,)
    ]


def test_the_listing_override_lets_a_real_cut_through_and_delists_what_is_gone(
    postgres_url, data_dir, snapshots, monkeypatch
):
    cut = BAD_INPUTS["truncated_tickers"].make(snapshots)
    res = resources(postgres_url, data_dir, snapshots)
    load_day("postgres", res, GOOD_DAY)
    monkeypatch.setenv(LISTING_OVERRIDE_VAR, f"{BAD_DAY}|{EXCHANGE}")

    load_day("postgres", res, BAD_DAY)

    delisted = query(
        res,
        "SELECT ticker FROM security WHERE exchange = ? AND delisting_date = ? ORDER BY ticker",
        (EXCHANGE, BAD_DAY),
    )
    assert [t for (t,) in delisted] == sorted([*cut, *SAMPLE_DELISTED])


def test_a_delisting_wave_in_files_that_agree_fails_unless_the_next_trading_day_confirms_it(
    postgres_url, data_dir, snapshots
):
    case = BAD_INPUTS["truncated_exchange"]
    cut = case.make(snapshots)
    active = len(read_tickers(folder(snapshots, GOOD_DAY) / "tickers.csv"))
    res = resources(postgres_url, data_dir, snapshots)
    load_day("postgres", res, GOOD_DAY)
    before = master(res)

    refused = materialize_exchange("postgres", res, BAD_DAY, EXCHANGE, raise_on_error=False)

    [message] = failure_messages(refused)
    assert case.expect in message and f"CD {BAD_DAY} {EXCHANGE}: the ticker list" in message
    assert (
        f"would delist {len(cut) + len(SAMPLE_DELISTED)} of the exchange's {active} active securities"
        in message
    )
    assert f"{folder(snapshots, NEXT_DAY) / 'tickers.csv'}" in message  # the next day's list has them
    assert master(res) == before

    # The next trading day's list lacks the same tickers: the wave is real and accepted.
    truncated_exchange(snapshots, NEXT_DAY)
    accepted = materialize_exchange("postgres", res, BAD_DAY, EXCHANGE)
    assert accepted.success
    delisted = query(
        res,
        "SELECT ticker FROM security WHERE exchange = ? AND delisting_date = ? ORDER BY ticker",
        (EXCHANGE, BAD_DAY),
    )
    assert [t for (t,) in delisted] == sorted([*cut, *SAMPLE_DELISTED])


def test_a_failure_after_the_listing_steps_also_keeps_the_days_gold_from_running(
    postgres_url, data_dir, snapshots
):
    path = folder(snapshots, BAD_DAY, "KONEX") / "ohlcv.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    ticker = lines[1].split(",")[0]
    lines[1] = ",".join([ticker] + ["0"] * (len(lines[1].split(",")) - 1))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    res = resources(postgres_url, data_dir, snapshots)
    load_day("postgres", res, GOOD_DAY)
    for exchange in EXCHANGES:
        materialize_exchange("postgres", res, BAD_DAY, exchange, raise_on_error=exchange != "KONEX")

    gold = materialize_gold("postgres", res, BAD_DAY, raise_on_error=False)

    [message] = failure_messages(gold)
    assert f"KONEX of {BAD_DAY} did not load successfully" in message and "cd_prices" in message
    assert "KOSPI" not in message.split("refusing")[0]


def test_gold_runs_without_an_exchange_only_when_the_operator_accepts_its_absence(
    postgres_url, data_dir, snapshots, monkeypatch
):
    res = resources(postgres_url, data_dir, snapshots)
    materialize_exchange("postgres", res, GOOD_DAY, "KOSPI")
    materialize_exchange("postgres", res, GOOD_DAY, "KOSDAQ")
    refused = materialize_gold("postgres", res, GOOD_DAY, raise_on_error=False)
    assert "KONEX of 2024-01-02 did not load successfully" in failure_messages(refused)[0]
    monkeypatch.setenv(GOLD_ACCEPT_MISSING_VAR, f"{GOOD_DAY}|KONEX")
    assert materialize_gold("postgres", res, GOOD_DAY).success


def test_a_partly_reloaded_exchange_keeps_gold_from_running_until_it_is_loaded_in_order(
    postgres_url, data_dir, snapshots
):
    import dagster as dg
    from cd_support import assets
    from dag_cd.defs.cd_daily.steps import STEPS

    res = resources(postgres_url, data_dir, snapshots)
    load_day("postgres", res, GOOD_DAY, gold=False)
    first = [a for a, s in zip(assets("postgres"), STEPS) if s.name == "cd_stockcode"]
    dg.materialize(first, partition_key=f"{GOOD_DAY}|KOSDAQ", resources=res)
    refused = materialize_gold("postgres", res, GOOD_DAY, raise_on_error=False)
    assert "KOSDAQ of 2024-01-02 did not load successfully" in failure_messages(refused)[0]
    assert "is older than cd_stockcode" in failure_messages(refused)[0]
    materialize_exchange("postgres", res, GOOD_DAY, "KOSDAQ")
    assert materialize_gold("postgres", res, GOOD_DAY).success


def test_good_days_load_and_a_rerun_of_a_day_changes_nothing(postgres_url, data_dir, snapshots):
    res = resources(postgres_url, data_dir, snapshots)
    load_day("postgres", res, GOOD_DAY)
    load_day("postgres", res, BAD_DAY)  # the sample day, uncut
    listed = sum(len(read_tickers(folder(snapshots, BAD_DAY, x) / "tickers.csv")) for x in EXCHANGES)
    assert query(res, "SELECT count(*) FROM stockcodename WHERE date = ?", (BAD_DAY,)) == [(listed,)]
    assert query(
        res, "SELECT count(DISTINCT exchange), count(*) FROM load_ledger WHERE date = ?", (BAD_DAY,)
    )[0][0] == len(EXCHANGES)
    ranked = query(
        res,
        "SELECT count(*) FROM security_rank WHERE rank_date = ? AND metric_type = 'marketcap'",
        (BAD_DAY,),
    )[0][0]
    assert ranked > 0
    before = state(res)

    load_day("postgres", res, BAD_DAY)

    assert state(res) == before
