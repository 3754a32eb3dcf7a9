"""`cd_listed_companies`: the listed-company master published per trading day to the object store."""

import json
from datetime import date
from pathlib import Path

import dagster as dg
import duckdb
from cd_support import load_days, resources
from dag_cd.defs.cd_listed_companies import DataProductStoreResource, cd_listed_companies
from dag_cd.lib.listed_companies import LATEST_KEY, day_key

BUCKET = "dag"


def _publish(res: dict, store_root: Path, day: str) -> dg.AssetMaterialization:
    result = dg.materialize(
        [cd_listed_companies],
        partition_key=day,
        resources={
            "cd_postgres": res["cd_postgres"],
            "cd_product_store": DataProductStoreResource(local_root=str(store_root)),
        },
    )
    assert result.success
    return result.get_asset_materialization_events()[0].event_specific_data.materialization


def _rows(store_root: Path, key: str) -> dict[str, dict]:
    path = store_root / BUCKET / key
    frame = duckdb.sql(f"SELECT * FROM read_parquet('{path}')").fetchall()
    columns = [c[0] for c in duckdb.sql(f"DESCRIBE SELECT * FROM read_parquet('{path}')").fetchall()]
    return {row[1]: dict(zip(columns, row)) for row in frame}


def test_each_trading_day_publishes_the_listed_companies_with_common_tickers_and_hangul_readings(
    postgres_url, data_dir, tmp_path, monkeypatch
):
    monkeypatch.delenv("OBJECT_STORE_ENDPOINT_URL", raising=False)
    res = resources(postgres_url, data_dir)
    load_days("postgres", res, days=("2024-01-02", "2024-01-03"))
    store = tmp_path / "store"
    first = _publish(res, store, "2024-01-02")
    second = _publish(res, store, "2024-01-03")

    assert second.metadata["object_key"].value == day_key(date(2024, 1, 3))
    latest = json.loads((store / BUCKET / LATEST_KEY).read_text())
    assert latest["day"] == "2024-01-03" and latest["key"] == second.metadata["object_key"].value
    day1 = _rows(store, first.metadata["object_key"].value)
    day3 = _rows(store, second.metadata["object_key"].value)
    assert day3["삼성전자"]["ticker"] == "005930" and day3["삼성전자"]["market"] == "KOSPI"
    assert day3["삼성전자"]["preferred_tickers"] == ["005935"]
    assert "엘지전자" in day3["LG전자"]["readings"]
    assert day1["대원전선"]["ticker"] == "006340"
    # The common share is delisted from 2024-01-03; the preferred share keeps the company listed.
    assert day3["대원전선"]["ticker"] is None and day3["대원전선"]["delisting_date"] is None
    assert day3["대원전선"]["preferred_tickers"] == ["006345"]
    assert "삼성전자우" not in day3 and "SK리츠" not in day3  # preferred shares and REITs are no companies
    assert second.metadata["dagster/row_count"].value == len(day3)
    assert second.metadata["listed_without_common_share"].value >= 1


def test_republishing_a_day_writes_the_same_object_and_an_older_day_never_moves_latest(
    postgres_url, data_dir, tmp_path, monkeypatch
):
    monkeypatch.delenv("OBJECT_STORE_ENDPOINT_URL", raising=False)
    res = resources(postgres_url, data_dir)
    load_days("postgres", res, days=("2024-01-02", "2024-01-03"))
    store = tmp_path / "store"
    newer = _publish(res, store, "2024-01-03")
    before = (store / BUCKET / newer.metadata["object_key"].value).read_bytes()
    again = _publish(res, store, "2024-01-03")
    assert (store / BUCKET / again.metadata["object_key"].value).read_bytes() == before
    older = _publish(res, store, "2024-01-02")
    assert older.metadata["moved_latest"].value is False
    assert json.loads((store / BUCKET / LATEST_KEY).read_text())["day"] == "2024-01-03"
    assert sorted(p.name for p in (store / BUCKET / "cd" / "cd_listed_companies").iterdir()) == [
        "date=2024-01-02",
        "date=2024-01-03",
        "latest.json",
    ]


def test_the_daily_gold_job_publishes_the_product_after_the_gold_steps():
    from dag_cd.definitions import defs

    job = defs.resolve_job_def("cd_daily_gold_job")
    graph = job.asset_layer.asset_graph
    assert dg.AssetKey("cd_listed_companies") in job.asset_layer.executable_asset_keys
    parents = graph.get(dg.AssetKey("cd_listed_companies")).parent_keys
    assert {dg.AssetKey("cd_update_rank_to_company"), dg.AssetKey("cd_update_rank_to_security")} <= parents
