"""The `nps` location loads on its own, cheaply, and follows the platform conventions."""

import subprocess
import sys

from dag_shared.conventions import check_location

HEAVY = ("polars", "duckdb", "psycopg", "httpx", "numba", "numpy", "pyarrow", "pandas", "tenacity")


def test_definitions_load_and_follow_the_conventions():
    from dag_nps.definitions import defs

    assert check_location("nps", defs) == []


def test_loading_the_definitions_imports_no_heavy_library():
    code = (
        "import sys, dagster; before = set(sys.modules); import dag_nps.definitions; "
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules and m not in before))"
    )
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert output == ""


def test_the_jobs_and_the_monthly_schedule_are_wired_as_the_spec_says():
    import dagster as dg
    from dag_nps.definitions import defs

    graph = defs.resolve_asset_graph()
    history = defs.resolve_job_def("nps_history_job")
    monthly = defs.resolve_job_def("nps_monthly_job")
    nps_group = {k for k in graph.get_all_asset_keys() if graph.get(k).group_name == "NPS"}
    saas_group = {k for k in graph.get_all_asset_keys() if graph.get(k).group_name == "NPS_SaaS"}
    assert set(history.asset_layer.executable_asset_keys) == nps_group
    assert set(monthly.asset_layer.executable_asset_keys) == nps_group | saas_group
    assert history.partitions_def.get_partition_keys()[0] == "2015-01"
    schedule = defs.resolve_schedule_def("nps_monthly_job_schedule")
    assert schedule.execution_timezone == "Asia/Seoul"
    assert (
        dg.AssetKey("nps_pension_staging_indexes")
        in graph.get(dg.AssetKey("nps_ensure_saas_tables")).parent_keys
    )
