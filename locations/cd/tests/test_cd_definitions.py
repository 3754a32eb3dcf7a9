"""The `cd` location: loads fast without heavy imports, follows the conventions, and the documented
acceptance commands (group CD per day and exchange, then the day's gold steps) load a day."""

import dagster as dg
from cd_support import imported_by_the_definitions, query
from dag_shared.conventions import check_location

HEAVY = ("pykrx", "exchange_calendars", "pandas", "psycopg", "libsql_experimental", "duckdb", "polars")


def test_definitions_load_and_follow_the_conventions():
    from dag_cd.definitions import defs

    assert check_location("cd", defs) == []


def test_definitions_load_without_importing_heavy_libraries():
    loaded = imported_by_the_definitions(HEAVY)
    assert loaded.strip() == ""


def test_the_location_has_the_legacy_jobs_and_the_three_groups():
    from dag_cd.definitions import defs

    jobs = {job.name for job in defs.resolve_all_job_defs()}
    assert {"cd_daily_update_job", "cd_daily_update_turso_job", "cd_history_job"} <= jobs
    graph = defs.resolve_asset_graph()
    groups = {graph.get(k).group_name for k in graph.get_all_asset_keys()}
    assert groups == {"CD", "CD_TURSO", "CD_HISTORY"}
    turso = [k.path[0] for k in graph.get_all_asset_keys() if graph.get(k).group_name == "CD_TURSO"]
    assert turso and all(name.endswith("_turso") for name in turso)


def test_the_documented_acceptance_commands_load_a_day(postgres_url, data_dir, monkeypatch):
    """`dagster asset materialize --select 'group:CD and tag:partitioning=day_exchange' --partition D|X`
    for the three exchanges, then `... tag:partitioning=day --partition D`, via dagster.materialize."""
    from dag_cd.definitions import defs

    monkeypatch.setenv("CD_POSTGRES_URL", postgres_url)
    graph = defs.resolve_asset_graph()
    instance = dg.DagsterInstance.ephemeral()

    def selected(selection: str) -> list:
        keys = dg.AssetSelection.from_string(selection).resolve(graph)
        return [defs.resolve_assets_def(k) for k in sorted(keys)]

    per_exchange = selected("group:CD and tag:partitioning=day_exchange")
    per_day = selected("group:CD and tag:partitioning=day")
    assert len(per_exchange) == 17 and len(per_day) == 5
    for exchange in ("KOSPI", "KOSDAQ", "KONEX"):
        assert dg.materialize(per_exchange, partition_key=f"2024-01-02|{exchange}", instance=instance).success
    assert dg.materialize(per_day, partition_key="2024-01-02", instance=instance).success
    from dag_shared.resources.postgres import PostgresResource

    res = {"cd_postgres": PostgresResource(url=postgres_url)}
    samsung = query(
        res,
        "SELECT c.marketcap, c.marketcap_rank, sum(s.marketcap) FROM company c JOIN security s "
        "ON s.company_id = c.company_id WHERE c.name = '삼성전자' GROUP BY c.marketcap, c.marketcap_rank",
    )
    cap, rank, securities = samsung[0]
    assert rank == 1 and cap == securities  # 삼성전자 + 삼성전자우
