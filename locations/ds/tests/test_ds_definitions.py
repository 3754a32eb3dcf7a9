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

    def names(keys) -> set[str]:
        return {key.path[-1] for key in keys}

    chain = {"ds_r2_download", "ds_png2webp", "ds_img_finalize"}
    assert names(defs.resolve_asset_graph().get_all_asset_keys()) == chain | {
        "ds_img_r2_docker",
        "ds_img_r2_node",
        "ds_r2_clear_src",
        "ds_r2_clear_tgt",
    }
    for runner in ("node", "docker"):
        job = defs.resolve_job_def(f"ds_{runner}_job")
        assert names(job.asset_layer.executable_asset_keys) == chain | {f"ds_img_r2_{runner}"}
