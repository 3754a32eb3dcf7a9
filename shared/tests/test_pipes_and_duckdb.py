"""Pipes runs an external step as a subprocess by default; DuckDB files live in the data directory."""

import sys

import dagster as dg
from dag_shared.resources.duckdb import duckdb_resource
from dag_shared.resources.pipes import pipes_client

EXTERNAL_STEP = """
from dagster_pipes import open_dagster_pipes
with open_dagster_pipes() as pipes:
    pipes.report_asset_materialization(metadata={"dagster/row_count": 42})
"""


def test_an_external_step_reports_its_materialization_through_pipes(tmp_path):
    script = tmp_path / "step.py"
    script.write_text(EXTERNAL_STEP)

    @dg.asset
    def ds_external(context: dg.AssetExecutionContext, pipes: dg.PipesSubprocessClient):
        return pipes.run(command=[sys.executable, str(script)], context=context).get_materialize_result()

    result = dg.materialize([ds_external], resources={"pipes": pipes_client()})
    assert result.success
    assert result.asset_materializations_for_node("ds_external")[0].metadata["dagster/row_count"].value == 42


def test_each_location_gets_its_own_duckdb_file_in_the_data_directory(data_dir):
    resource = duckdb_resource("nps")
    assert resource.database == str(data_dir / "duckdb" / "nps.duckdb")
    with resource.get_connection() as conn:
        conn.execute("CREATE TABLE t AS SELECT 1 AS x")
    assert (data_dir / "duckdb" / "nps.duckdb").is_file()
