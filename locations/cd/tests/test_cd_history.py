"""Month-end history: DuckDB staging, COPY into Postgres, resumable, set-based linking."""

import shutil

import dagster as dg
from cd_support import materialize_exchange, query, resources, write_day
from dag_cd.defs.cd_history_assets import CdHistoryConfig, build_history_assets
from dag_cd.lib.facts import FACTS
from dag_cd.lib.history import history_targets
from dag_shared.resources.duckdb import DuckDBResource as HistoryDuckDBResource

MONTH_ENDS = ("2024-01-31", "2024-02-29", "2024-03-29")
UNIVERSE = {
    "KOSPI": [("000010", "알파", 1000, 100), ("000020", "베타", 2000, 100)],
    "KOSDAQ": [("000030", "감마", 3000, 100)],
    "KONEX": [("000040", "델타", 400, 100)],
}


def _history_resources(postgres_url, data_dir, snapshots):
    res = resources(postgres_url, data_dir, snapshots)
    res["cd_history_duckdb"] = HistoryDuckDBResource(database=str(data_dir / "cd_history.duckdb"))
    return res


def test_month_end_targets_cover_the_configured_years_and_start_konex_in_july_2013():
    targets = history_targets(CdHistoryConfig(years=12, last_day="2024-03-31"), FACTS["price"])
    days = sorted({d for d, _ in targets})
    assert days[0].isoformat() == "2012-01-31" and days[-1].isoformat() == "2024-03-29"
    konex = sorted(d for d, m in targets if m == "KONEX")
    assert konex[0].isoformat() == "2013-07-31"
    assert not any(
        m == "KONEX"
        for _, m in history_targets(CdHistoryConfig(years=1, last_day="2024-03-31"), FACTS["bppedd"])
    )


def _config(**overrides):
    config = {"years": 0, "last_day": "2024-03-31", **overrides}
    return {
        "ops": {
            name: {"config": config}
            for name in ("cd_historical_prices", "cd_historical_marketcaps", "cd_historical_bppedds")
        }
    }


def test_history_loads_month_ends_into_postgres_and_links_them(postgres_url, data_dir, tmp_path):
    for day in MONTH_ENDS:
        for market, rows in UNIVERSE.items():
            write_day(tmp_path, day, market, rows)
    write_day(tmp_path, "2024-01-02", "KOSPI", UNIVERSE["KOSPI"])  # the daily graph knows the securities
    res = _history_resources(postgres_url, data_dir, tmp_path)
    materialize_exchange("postgres", res, "2024-01-02", "KOSPI")
    assert dg.materialize(build_history_assets(), resources=res, run_config=_config()).success
    prices = query(
        res,
        "SELECT date, exchange, count(*), count(security_id) FROM price WHERE date > ? "
        "GROUP BY date, exchange ORDER BY date, exchange",
        ("2024-01-02",),
    )
    assert [(str(d), e, n) for d, e, n, _ in prices] == [
        (d, e, len(UNIVERSE[e])) for d in MONTH_ENDS for e in ("KONEX", "KOSDAQ", "KOSPI")
    ]
    assert all(linked == n for _, e, n, linked in prices if e == "KOSPI")
    assert query(res, "SELECT count(*) FROM bppedd WHERE exchange = 'KONEX'") == [(0,)]
    assert query(res, "SELECT count(*) FROM marketcap WHERE date > ?", ("2024-01-02",)) == [(12,)]


def test_an_interrupted_backfill_resumes_without_refetching_what_it_has(postgres_url, data_dir, tmp_path):
    for day in MONTH_ENDS[:2]:
        for market, rows in UNIVERSE.items():
            write_day(tmp_path, day, market, rows)
    res = _history_resources(postgres_url, data_dir, tmp_path)
    first = dg.materialize(build_history_assets(), resources=res, run_config=_config(), raise_on_error=False)
    assert not first.success  # March is missing: the fetch fails after staging January and February
    for day in MONTH_ENDS[:2]:
        shutil.rmtree(tmp_path / day.replace("-", ""))  # refetching them now would fail
    for market, rows in UNIVERSE.items():
        write_day(tmp_path, MONTH_ENDS[2], market, rows)
    second = dg.materialize(build_history_assets(), resources=res, run_config=_config())
    assert second.success
    fetched = {
        e.asset_key.path[0]: e.metadata
        for e in (ev.event_specific_data.materialization for ev in second.get_asset_materialization_events())
    }
    assert fetched["cd_historical_prices"]["fetched_now"].value == 3  # only March × 3 markets
    assert fetched["cd_historical_prices"]["already_staged"].value == 6
    assert query(res, "SELECT count(DISTINCT date) FROM price") == [(3,)]
    again = dg.materialize(build_history_assets(), resources=res, run_config=_config())
    assert again.success
    assert query(res, "SELECT count(*) FROM price") == [(12,)]  # re-loading replaced, no duplicates
