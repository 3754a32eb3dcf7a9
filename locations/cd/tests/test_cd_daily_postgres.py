"""The daily graph on Postgres: the sample days, listing events, holidays, bad data, re-runs, ranks."""

import csv

import dagster as dg
import pytest
from cd_support import (
    SAMPLE_DAYS,
    load_days,
    materialize_exchange,
    materialize_exchange_in_a_process,
    materialize_gold,
    query,
    resources,
    write_day,
)
from dag_cd.lib.krx import SAMPLE_SNAPSHOT_DIR
from dag_cd.lib.schema import TABLES
from dag_shared.conventions import check_materialization_metadata


def failure_messages(result) -> list[str]:
    return [e.event_specific_data.error.to_string() for e in result.all_events if e.is_step_failure]


def _sample_caps(day: str) -> dict[str, int]:
    caps = {}
    for market in ("KOSPI", "KOSDAQ", "KONEX"):
        path = SAMPLE_SNAPSHOT_DIR / day.replace("-", "") / market / "market_cap.csv"
        with open(path, encoding="utf-8") as f:
            for row in csv.DictReader(f):
                caps[row["티커"]] = int(row["시가총액"])
    return caps


def test_loading_the_sample_days_gives_correct_company_caps_and_ranks(postgres_url, data_dir):
    res = resources(postgres_url, data_dir)
    load_days("postgres", res)
    caps = _sample_caps("2024-01-05")
    expected = {  # preferred shares count towards their company; SPACs and REITs have none
        "삼성전자": caps["005930"] + caps["005935"],
        "현대차": caps["005380"] + caps["005387"],
        "SK하이닉스": caps["000660"],
        "LG에너지솔루션": caps["373220"],
        "NAVER": caps["035420"],
        "카카오뱅크": caps["323410"],
        "삼성E&A": caps["028050"],
        "미래에셋대우": caps["006800"],
        "에코프로비엠": caps["247540"],
        "에코프로": caps["086520"],
        "카카오게임즈": caps["293490"],
        "펄어비스": caps["263750"],
        "케이엔에스": caps["432470"],
        "에이치엔에스하이텍": caps["278990"],
        "엠앤씨생명과학": caps["225860"],
        "틸론": caps["217880"],
        "BNK금융지주": caps["138930"],
        "BYC": caps["001460"],
        "GKL": caps["114090"],
        "KB금융": caps["105560"],
        "LS ELECTRIC": caps["010120"],
        "KODEX 200": caps["069500"],
        "TIGER 미국S&P500": caps["360750"],
        "CJ제일제당": caps["097950"] + caps["097955"],
        "대신증권": caps["003540"] + caps["003547"],
        "F&F": caps["383220"],
        "S-Oil": caps["010950"],
        "E1": caps["017940"],
        "POSCO홀딩스": caps["005490"],
        "신한 인버스 WTI원유 선물 ETN": caps["500009"],
        "CJ ENM": caps["035760"],
        "HB솔루션": caps["297890"],
        "JYP Ent.": caps["035900"],
        "LG전자": caps["066570"],
        "대원전선": caps["006345"],  # its common share is delisted: the preferred share alone
    }
    rows = query(
        res,
        "SELECT name, marketcap, marketcap_rank FROM company WHERE marketcap_date = ? "
        "ORDER BY marketcap_rank",
        ("2024-01-05",),
    )
    assert {name: cap for name, cap, _ in rows} == expected
    assert [name for name, _, _ in rows] == sorted(expected, key=lambda n: -expected[n])
    assert [rank for _, _, rank in rows] == list(range(1, len(expected) + 1))
    # The delisted company is no longer ranked, and its last rank is kept as prior rank.
    assert query(
        res,
        "SELECT marketcap_rank, marketcap_prior_rank IS NOT NULL FROM company "
        "WHERE name = '이스트아시아홀딩스'",
    ) == [(None, True)]
    types = dict(query(res, "SELECT name, type FROM security"))
    assert types["삼성전자우"] == "우선주" and types["현대차2우B"] == "우선주"
    assert (
        types["미래에셋대우"] == "보통주"
        and types["엔에이치스팩29호"] == "스팩"
        and types["SK리츠"] == "리츠"
    )
    ranks = query(
        res,
        "SELECT count(*), max(current_rank) FROM security_rank WHERE rank_date = ? "
        "AND metric_type = 'marketcap'",
        ("2024-01-05",),
    )
    assert ranks == [(41, 41)]  # 43 securities, two delisted
    prior = query(
        res,
        "SELECT r.rank_date, r.current_rank, r.prior_rank FROM security_rank r JOIN security s "
        "ON s.security_id = r.security_id WHERE s.ticker = '000660' AND r.metric_type = 'marketcap' "
        "ORDER BY r.rank_date",
    )
    assert [p for _, _, p in prior] == [None, *[c for _, c, _ in prior[:-1]]]  # prior = the day before's rank
    values = {v for (v,) in query(res, "SELECT value FROM search_name")}
    assert {
        "tkatjdwjswk",
        "엘지에너지솔루션",
        "에스케이하이닉스",
        "삼성이앤에이",
        "ㅣㅎ에너지솔루션",
    } <= values
    assert "삼성엔지니어링" not in values  # renamed: no stale search name


def _universe(day_index: int) -> list[tuple[str, str, int, int]]:
    rows = [("000010", "알파", 1000, 100), ("000020", "베타", 2000, 100), ("000030", "감마", 3000, 100)]
    if day_index >= 1:
        rows.append(("000040", "델타", 4000, 100))  # new listing on day 1
    if day_index == 2:
        rows = [r for r in rows if r[0] != "000020"]  # delisted on day 2, relisted on day 3
    if day_index >= 2:
        rows = [
            ("000030", "감마홀딩스", 3000, 100) if r[0] == "000030" else r for r in rows
        ]  # renamed on day 2
    return rows


def test_each_listing_event_new_delisted_renamed_and_relisted_is_applied(postgres_url, data_dir, tmp_path):
    days = ("2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05")
    for i, day in enumerate(days):
        write_day(tmp_path, day, "KOSPI", _universe(i))
    res = resources(postgres_url, data_dir, tmp_path)

    def state():
        return {
            t: (n, str(l), str(d) if d else None, c)
            for t, n, l, d, c in query(
                res,
                "SELECT s.ticker, s.name, s.listing_date, s.delisting_date, c.name FROM security s "
                "LEFT JOIN company c ON c.company_id = s.company_id",
            )
        }

    for i, day in enumerate(days):
        materialize_exchange("postgres", res, day, "KOSPI")
        if i == 1:
            assert state()["000040"] == ("델타", "2024-01-03", None, "델타")
        if i == 2:
            assert state()["000020"][2] == "2024-01-04"
            assert state()["000030"] == ("감마홀딩스", "2024-01-02", None, "감마홀딩스")
    final = state()
    assert final["000020"] == ("베타", "2024-01-02", None, "베타")  # relisted: same security, date cleared
    assert len(final) == 4
    assert query(res, "SELECT count(*) FROM company") == [(4,)]  # the rename kept the company


def test_rerunning_a_partition_replaces_it_without_duplicates(postgres_url, data_dir):
    res = resources(postgres_url, data_dir)
    load_days("postgres", res, days=SAMPLE_DAYS[:2])
    before = {t: query(res, f"SELECT count(*) FROM {t}")[0][0] for t in TABLES}
    materialize_exchange("postgres", res, "2024-01-03", "KOSPI")
    materialize_gold("postgres", res, "2024-01-03")
    after = {t: query(res, f"SELECT count(*) FROM {t}")[0][0] for t in TABLES}
    assert after == before
    assert before["price"] == before["marketcap"] > 0 and before["tmp_prices"] == 0


def test_an_all_zero_holiday_answer_on_a_trading_day_fails_and_keeps_the_previous_state(
    postgres_url, data_dir, tmp_path
):
    good = [("000010", "알파", 1000, 100), ("000020", "베타", 2000, 100)]
    write_day(tmp_path, "2024-01-02", "KOSPI", good)
    write_day(tmp_path, "2024-01-03", "KOSPI", good, all_zero=True)
    res = resources(postgres_url, data_dir, tmp_path)
    materialize_exchange("postgres", res, "2024-01-02", "KOSPI")
    result = materialize_exchange("postgres", res, "2024-01-03", "KOSPI", raise_on_error=False)
    assert not result.success
    assert any(
        "KRX's answer for a holiday, but 2024-01-03 is a KRX trading day" in m
        for m in failure_messages(result)
    )
    assert query(res, "SELECT DISTINCT date FROM price") == [
        (query(res, "SELECT min(date) FROM price")[0][0],)
    ]
    assert query(res, "SELECT count(*) FROM security WHERE delisting_date IS NOT NULL") == [(0,)]


def test_a_missing_or_abnormally_short_ticker_list_fails_instead_of_delisting(
    postgres_url, data_dir, tmp_path
):
    many = [(f"{i:06d}", f"종목{i}", 1000 + i, 100) for i in range(1, 61)]
    write_day(tmp_path, "2024-01-02", "KOSDAQ", many)
    write_day(tmp_path, "2024-01-04", "KOSDAQ", many[:30])  # half the market vanished: partial list
    res = resources(postgres_url, data_dir, tmp_path)
    materialize_exchange("postgres", res, "2024-01-02", "KOSDAQ")
    missing = materialize_exchange("postgres", res, "2024-01-03", "KOSDAQ", raise_on_error=False)
    assert not missing.success  # no snapshot at all for the day: an empty answer
    short = materialize_exchange("postgres", res, "2024-01-04", "KOSDAQ", raise_on_error=False)
    assert not short.success
    assert query(res, "SELECT count(*) FROM security WHERE delisting_date IS NULL") == [(60,)]


def _load_a_kospi_day_spoiling_000020(postgres_url, data_dir, tmp_path, flaw: str):
    """2024-01-02 KOSPI with two tickers, 000020 spoiled by `write_day`'s `flaw`, loaded (it may fail)."""
    rows = [("000010", "알파", 1000, 100), ("000020", "베타", 2000, 100)]
    write_day(tmp_path, "2024-01-02", "KOSPI", rows, **{flaw: ("000020",)})
    res = resources(postgres_url, data_dir, tmp_path)
    return res, materialize_exchange("postgres", res, "2024-01-02", "KOSPI", raise_on_error=False)


def test_partly_zero_prices_on_a_trading_day_fail_naming_the_file_and_lines(postgres_url, data_dir, tmp_path):
    res, result = _load_a_kospi_day_spoiling_000020(postgres_url, data_dir, tmp_path, "zero_price_tickers")
    assert any("ohlcv.csv" in m and "line 3 (000020)" in m for m in failure_messages(result))
    assert query(res, "SELECT count(*) FROM price") == [(0,)]


def test_rank_ties_get_dense_unique_ranks_broken_by_ticker(postgres_url, data_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("CD_GOLD_ACCEPT_MISSING", "2024-01-02|KOSDAQ,2024-01-02|KONEX")  # only KOSPI loads
    tied = [
        ("000030", "가", 1000, 100),
        ("000010", "나", 1000, 100),
        ("000020", "다", 500, 200),
        ("000040", "라", 2000, 100),
    ]
    write_day(tmp_path, "2024-01-02", "KOSPI", tied)
    for market in ("KOSDAQ", "KONEX"):
        write_day(tmp_path, "2024-01-02", market, [])
    res = resources(postgres_url, data_dir, tmp_path)
    materialize_exchange("postgres", res, "2024-01-02", "KOSPI")
    result = materialize_gold("postgres", res, "2024-01-02")
    ranks = query(
        res,
        "SELECT s.ticker, r.current_rank FROM security_rank r JOIN security s "
        "ON s.security_id = r.security_id WHERE r.metric_type = 'marketcap' ORDER BY r.current_rank",
    )
    assert ranks == [("000040", 1), ("000010", 2), ("000020", 3), ("000030", 4)]
    companies = query(res, "SELECT name, marketcap_rank FROM company ORDER BY marketcap_rank")
    assert companies == [("라", 1), ("가", 2), ("나", 3), ("다", 4)]  # ties broken by name
    checks = {c.check_name: c.passed for c in result.get_asset_check_evaluations()}
    assert checks["ranks_dense_and_unique"]
    assert checks["prices_and_caps_present"] is False  # KOSDAQ and KONEX never came in


def test_negative_prices_fail_the_no_negative_check(postgres_url, data_dir, tmp_path):
    _, result = _load_a_kospi_day_spoiling_000020(postgres_url, data_dir, tmp_path, "negative")
    checks = {(c.asset_key.path[0], c.check_name): c.passed for c in result.get_asset_check_evaluations()}
    assert checks[("cd_digest_price", "no_negative_price_values")] is False
    assert checks[("cd_digest_marketcaps", "no_negative_marketcap_values")] is False


def test_every_materialization_reports_row_count_preview_and_column_schema(postgres_url, data_dir):
    res = resources(postgres_url, data_dir)
    results = load_days("postgres", res, days=SAMPLE_DAYS[:1])
    problems, seen = [], set()
    for result in results:
        for event in result.get_asset_materialization_events():
            mat = event.event_specific_data.materialization
            seen.add(mat.asset_key.path[0])
            skipped = "skipped" in mat.metadata
            problems += check_materialization_metadata(mat.asset_key, mat.metadata, is_table=not skipped)
    assert problems == []
    assert len(seen) == 22
    skipped = [
        c for r in results for c in r.get_asset_check_evaluations() if c.check_name == "zero_rows_skipped"
    ]
    assert len(skipped) == 3 and all(c.passed for c in skipped)  # the sample SPAC/REIT rows are few


def test_gold_waits_until_all_three_exchanges_of_the_day_are_in(postgres_url, data_dir):
    from dag_cd.definitions import defs

    res = resources(postgres_url, data_dir)
    instance = dg.DagsterInstance.ephemeral()
    gold = dg.AssetKey("cd_update_price_marketcap_bppedd_to_security")
    evaluation = dg.evaluate_automation_conditions(defs=defs, instance=instance)
    for exchange in ("KOSPI", "KOSDAQ"):
        materialize_exchange("postgres", res, "2024-01-02", exchange, instance=instance)
        evaluation = dg.evaluate_automation_conditions(defs=defs, instance=instance, cursor=evaluation.cursor)
        assert evaluation.get_requested_partitions(gold) == set()
    materialize_exchange("postgres", res, "2024-01-02", "KONEX", instance=instance)
    evaluation = dg.evaluate_automation_conditions(defs=defs, instance=instance, cursor=evaluation.cursor)
    assert evaluation.get_requested_partitions(gold) == {"2024-01-02"}
    evaluation = dg.evaluate_automation_conditions(defs=defs, instance=instance, cursor=evaluation.cursor)
    assert evaluation.get_requested_partitions(gold) == set()  # once, not once per exchange


@pytest.mark.parametrize("sink", ["postgres", "turso"])
def test_the_three_exchange_runs_of_a_first_day_can_start_together(sink, postgres_url, data_dir):
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    jobs = [(sink, postgres_url, str(data_dir), "2024-01-02", x) for x in ("KOSPI", "KOSDAQ", "KONEX")]
    with ProcessPoolExecutor(max_workers=3, mp_context=multiprocessing.get_context("spawn")) as pool:
        assert list(pool.map(materialize_exchange_in_a_process, jobs)) == [True, True, True]
    res = resources(postgres_url, data_dir)
    assert query(
        res, "SELECT exchange, count(*) FROM price GROUP BY exchange ORDER BY exchange", sink=sink
    ) == [("KONEX", 3), ("KOSDAQ", 9), ("KOSPI", 30)]
