"""Search names on a day of real-market names, and their isolation from the day's prices and ranks.

The name steps run beside the gold chain, never before it: a name that cannot be spelled is
skipped and counted, and even a name step that fails outright leaves prices, caps and ranks of the
day to load.
"""

import dagster as dg
from cd_support import backend, materialize_exchange, materialize_gold, query, resources, write_day
from dag_cd.defs.cd_daily.factory import POSTGRES_SINK, TURSO_SINK, asset_name
from dag_cd.defs.cd_daily.steps import STEP_BY_NAME, STEPS
from dag_cd.lib import search_names as cd_steps_names
from dag_cd.lib.parity import table_rows
from dag_cd.lib.schema import TABLES
from test_cd_names import REAL_NAMES

DAY = "2024-01-02"
NAME_STEPS = [s.name for s in STEPS if s.run.__module__ == cd_steps_names.__name__]
GOLD_STEPS = [s.name for s in STEPS if s.tier == "gold"]
LATIN_DAY = {
    "KOSPI": [("005930", "삼성전자", 77000, 5969782550), ("138930", "BNK금융지주", 7500, 322088000),
              ("001460", "BYC", 39000, 6260000), ("114090", "GKL", 11500, 61856000),
              ("105560", "KB금융", 54000, 403511000), ("010120", "LS ELECTRIC", 73000, 30000000),
              ("069500", "KODEX 200", 35500, 180000000), ("360750", "TIGER 미국S&P500", 15500, 200000000),
              ("383220", "F&F", 80000, 38000000), ("010950", "S-Oil", 70000, 112000000),
              ("017940", "E1", 65000, 6500000), ("005490", "POSCO홀딩스", 480000, 84500000),
              ("097950", "CJ제일제당", 340000, 15055000), ("097955", "CJ제일제당 우", 140000, 1100000)],
    "KOSDAQ": [("035760", "CJ ENM", 75000, 21929000), ("297890", "HB솔루션", 3800, 40000000),
               ("035900", "JYP Ent.", 85000, 35500000)],
    "KONEX": [("278990", "에이치엔에스하이텍", 30000, 2000000)],
}  # fmt: skip
LATIN_NAMES = [n for rows in LATIN_DAY.values() for _, n, _, _ in rows if n in REAL_NAMES]


def _load_day(res: dict, raise_on_error: bool = True) -> list[dg.ExecuteInProcessResult]:
    results = [
        materialize_exchange("postgres", res, DAY, x, raise_on_error=raise_on_error) for x in LATIN_DAY
    ]
    return [*results, materialize_gold("postgres", res, DAY)]


def _latin_day(postgres_url, data_dir, tmp_path) -> dict:
    for market, rows in LATIN_DAY.items():
        write_day(tmp_path, DAY, market, rows)
    return resources(postgres_url, data_dir, tmp_path)


def _search_names(res: dict) -> dict[tuple[str, str], str]:
    rows = query(
        res,
        "SELECT c.name, n.origin, n.value FROM search_name n JOIN company c ON c.company_id = n.company_id",
    )
    return {(name, origin): value for name, origin, value in rows}


def _materialization(results, step: str) -> dg.AssetMaterialization:
    for result in results:
        for event in result.get_asset_materialization_events():
            if event.asset_key == dg.AssetKey(step):
                return event.event_specific_data.materialization
    raise AssertionError(f"{step} was not materialized")


def test_no_search_name_step_is_upstream_of_a_gold_step_on_either_sink():
    from dag_cd.definitions import defs

    graph = defs.resolve_asset_graph()
    for sink in (POSTGRES_SINK, TURSO_SINK):
        gold = [dg.AssetKey(asset_name(s, sink)) for s in GOLD_STEPS]
        names = {dg.AssetKey(asset_name(s, sink)) for s in NAME_STEPS}
        upstream = dg.AssetSelection.assets(*gold).upstream().resolve(graph)
        assert len(names) == 3 and set(gold) <= upstream
        assert names.isdisjoint(upstream)


def test_a_day_of_latin_lettered_names_gets_their_search_names_and_a_rerun_changes_nothing(
    postgres_url, data_dir, tmp_path
):
    res = _latin_day(postgres_url, data_dir, tmp_path)
    results = _load_day(res)
    names = _search_names(res)
    for name in LATIN_NAMES:
        letters, keys, hangul_mode = REAL_NAMES[name]
        assert names[(name, "kor_name")] == name
        assert names[(name, "eng2kor")] == letters
        assert names.get((name, "keyboard")) == keys
        assert names[(name, "keyboard_reverse")] == hangul_mode
    assert names[("삼성전자", "keyboard")] == "tkatjdwjswk"
    assert (
        _materialization(results, "cd_post_kor2eng_search_name_for_keyboard").metadata["names_skipped"].value
        == 0
    )
    postgres = backend("postgres", res)
    before = {t: table_rows(postgres, t) for t in TABLES}
    _load_day(res)
    assert {t: table_rows(postgres, t) for t in TABLES} == before


def test_a_name_that_cannot_be_spelled_is_skipped_and_counted_not_a_failed_run(
    postgres_url, data_dir, tmp_path, monkeypatch
):
    order, applies, spell = cd_steps_names.SPELLINGS["keyboard_reverse"]

    def fails_on_gkl(name: str) -> str:
        if name == "GKL":
            raise KeyError("ㅏㅣ")
        return spell(name)

    monkeypatch.setitem(cd_steps_names.SPELLINGS, "keyboard_reverse", (order, applies, fails_on_gkl))
    res = _latin_day(postgres_url, data_dir, tmp_path)
    results = _load_day(res)
    assert all(r.success for r in results)
    metadata = _materialization(results, "cd_post_kor2eng_search_name_for_keyboard").metadata
    assert metadata["names_skipped"].value == 1
    names = _search_names(res)
    assert ("GKL", "keyboard_reverse") not in names and names[("GKL", "eng2kor")] == "지케이엘"
    assert names[("BYC", "keyboard_reverse")] == "ㅠㅛㅊ"


def test_a_failing_search_name_step_leaves_the_days_prices_caps_and_ranks_to_load(
    postgres_url, data_dir, tmp_path, monkeypatch
):
    def broken(*args, **kwargs):
        raise RuntimeError("search names unavailable")

    monkeypatch.setattr(STEP_BY_NAME["cd_post_eng2kor_search_name"], "run", broken)
    res = _latin_day(postgres_url, data_dir, tmp_path)
    results = _load_day(res, raise_on_error=False)
    assert not any(r.success for r in results[:3])  # each exchange run reports the failed name step
    assert results[-1].success
    tickers = sum(len(rows) for rows in LATIN_DAY.values())
    assert query(res, "SELECT count(*) FROM price WHERE date = ?", (DAY,)) == [(tickers,)]
    assert query(res, "SELECT count(*) FROM security_rank WHERE metric_type = 'marketcap'") == [(tickers,)]
    assert query(res, "SELECT count(*) FROM company WHERE marketcap_rank IS NOT NULL") == [(tickers - 1,)]
