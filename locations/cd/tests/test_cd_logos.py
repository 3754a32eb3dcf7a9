"""`cd_node_job` end to end on the local default: the companies a sample daily load creates, the
search stand-in, real Chromium, the local object store, WebP and company.logo; a rerun changes
nothing. CD's existing tables and steps are untouched by the logo pipeline."""

from __future__ import annotations

import dagster as dg
from dag_shared.conventions import check_location

LISTING = (
    "cd_stockcode",
    "cd_stockcodenames",
    "cd_ingest_stockcodenames",
    "cd_update_securitytypebyname",
    "cd_upsert_company_by_security",
)


def _companies(postgres_url: str) -> dict[str, tuple[str, str | None]]:
    import psycopg

    with psycopg.connect(postgres_url) as conn:
        rows = conn.execute("SELECT company_id::text, name, logo FROM company").fetchall()
    return {row[0]: (row[1], row[2]) for row in rows}


def test_the_logo_assets_keep_their_legacy_names_and_follow_the_conventions():
    from dag_cd.definitions import defs

    assert check_location("cd", defs) == []
    keys = {k.path[-1] for k in defs.resolve_asset_graph().get_all_asset_keys()}
    assert {
        "cd_img_r2_docker",
        "cd_img_r2_node",
        "cd_r2_download",
        "cd_png2webp",
        "cd_img_finalize",
        "cd_r2_clear",
        "cd_r2_clear_tgt",
    } <= keys
    node_job = defs.resolve_job_def("cd_node_job").asset_layer.executable_asset_keys
    assert {k.path[-1] for k in node_job} == {
        "cd_img_r2_node",
        "cd_r2_download",
        "cd_png2webp",
        "cd_img_finalize",
    }


def test_cd_node_job_gives_every_sample_company_its_logo_url_and_a_rerun_changes_nothing(
    postgres_url, data_dir, monkeypatch
):
    from dag_cd.definitions import defs

    monkeypatch.setenv("CD_POSTGRES_URL", postgres_url)
    instance = dg.DagsterInstance.ephemeral()
    listing = [defs.resolve_assets_def(name) for name in LISTING]
    for exchange in ("KOSPI", "KOSDAQ", "KONEX"):
        assert dg.materialize(listing, partition_key=f"2024-01-02|{exchange}", instance=instance).success
    before = _companies(postgres_url)
    assert len(before) > 20 and all(logo is None for _, logo in before.values())

    job = defs.resolve_job_def("cd_node_job")
    first = job.execute_in_process(instance=instance)
    assert first.success
    after = _companies(postgres_url)
    target = data_dir / "object_store" / "cd" / "cd-logos"
    base = target.resolve().as_uri()
    assert set(after) == set(before)
    for company_id, (_, logo) in after.items():
        assert logo == f"{base}/clogo-{company_id}.png"
        assert (target / f"clogo-{company_id}.webp").is_file()
    assert all(e.passed for e in first.get_asset_check_evaluations())

    second = job.execute_in_process(instance=instance)
    assert second.success
    assert _companies(postgres_url) == after
    rerun = second.asset_materializations_for_node("cd_img_finalize")[0].metadata
    assert rerun["dagster/row_count"].value == 0 and rerun["uploaded_objects"].value == 0
    import duckdb

    with duckdb.connect(str(data_dir / "duckdb" / "cd.duckdb")) as conn:
        assert conn.execute("SELECT count(*) FROM cd_logo_updates").fetchone()[0] == len(after)
