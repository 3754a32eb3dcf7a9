"""The `ds` location loads on its own, cheaply, and follows the platform conventions."""

import subprocess
import sys

from dag_shared.conventions import check_location

HEAVY = ("PIL", "playwright", "boto3", "psycopg", "duckdb", "dagster_docker", "docker")


def test_definitions_load_and_follow_the_conventions():
    from dag_ds.definitions import defs

    assert check_location("ds", defs) == []


def test_definitions_load_without_importing_heavy_libraries():
    code = (
        "import sys, dag_ds.definitions as d; d.defs.get_repository_def(); "
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == ""


def test_the_location_has_the_legacy_logo_assets_and_jobs():
    from dag_ds.definitions import defs

    graph = defs.resolve_asset_graph()
    assert {k.path[-1] for k in graph.get_all_asset_keys()} == {
        "ds_img_r2_docker",
        "ds_img_r2_node",
        "ds_r2_download",
        "ds_png2webp",
        "ds_img_finalize",
        "ds_r2_clear_src",
        "ds_r2_clear_tgt",
    }
    node_job = defs.resolve_job_def("ds_node_job").asset_layer.executable_asset_keys
    assert {k.path[-1] for k in node_job} == {
        "ds_img_r2_node",
        "ds_r2_download",
        "ds_png2webp",
        "ds_img_finalize",
    }
    docker_job = defs.resolve_job_def("ds_docker_job").asset_layer.executable_asset_keys
    assert {k.path[-1] for k in docker_job} == {
        "ds_img_r2_docker",
        "ds_r2_download",
        "ds_png2webp",
        "ds_img_finalize",
    }
