"""`ds_node_job` end to end on the local default: sample companies, the search stand-in, real
Chromium, the local object store, WebP, and company.thumbnail; a second run changes nothing."""

from __future__ import annotations

from dag_ds.lib.schema import sample_rows, search_card_names
from ds_support import companies, logo_updates, run_job


def test_ds_node_job_fills_every_thumbnail_the_search_shows_and_a_rerun_changes_nothing(
    postgres_url, data_dir, monkeypatch
):
    monkeypatch.setenv("DS_POSTGRES_URL", postgres_url)
    first = run_job("ds_node_job")
    assert first.success

    rows = companies(postgres_url)
    assert len(rows) == len(sample_rows())
    with_card = set(search_card_names())
    target = data_dir / "object_store" / "ds" / "ds-logos"
    for company_id, (name, thumbnail, deleted) in rows.items():
        if deleted or name not in with_card:
            assert thumbnail is None, name
            continue
        assert thumbnail == f"{target.resolve().as_uri()}/clogo-{company_id}.png"
        assert (target / f"clogo-{company_id}.png").read_bytes().startswith(b"\x89PNG")
        assert (target / f"clogo-{company_id}.webp").read_bytes()[8:12] == b"WEBP"
    filled = [cid for cid, (_, url, _) in rows.items() if url]
    assert len(filled) == len(
        [r for r in sample_rows() if r["search_card"] == "true" and r["is_deleted"] == "false"]
    )
    assert sorted(int(cid) for cid, _, _ in logo_updates(data_dir)) == sorted(filled)

    crawl = first.asset_materializations_for_node("ds_img_r2_node")[0].metadata
    assert crawl["uploaded"].value == crawl["dagster/row_count"].value == len(filled)
    finalize = first.asset_materializations_for_node("ds_img_finalize")[0].metadata
    assert finalize["dagster/row_count"].value == len(filled)
    checks = {e.check_name: e.passed for e in first.get_asset_check_evaluations()}
    assert checks == {
        "ds_crawl_failures": True,
        "ds_r2_unrecognised_objects": True,
        "ds_r2_src_check": True,
        "ds_r2_tgt_check": True,
        "ds_logo_urls_resolve": True,
    }

    objects_before = {p.name: p.stat().st_mtime_ns for p in target.iterdir()}
    second = run_job("ds_node_job")
    assert second.success
    assert companies(postgres_url) == rows
    assert {p.name: p.stat().st_mtime_ns for p in target.iterdir()} == objects_before
    again = second.asset_materializations_for_node("ds_img_finalize")[0].metadata
    assert again["dagster/row_count"].value == 0 and again["uploaded_objects"].value == 0
    assert len(logo_updates(data_dir)) == len(filled)
    assert all(e.passed for e in second.get_asset_check_evaluations())

    # A logo of a company the table does not hold is left out with its reason, nothing else moves.
    from dag_shared.images.lib.sample_logos import draw_logo

    source = data_dir / "object_store" / "ds" / "ds-logos-source"
    (source / "clogo-99999.png").write_bytes(draw_logo("no such company"))
    third = run_job("ds_node_job", only=["ds_r2_download", "ds_png2webp", "ds_img_finalize"])
    assert third.success
    left_out = third.asset_materializations_for_node("ds_img_finalize")[0].metadata
    assert left_out["unknown_companies"].value == 1 and "id = 99999" in left_out["skipped"].value
    assert left_out["dagster/row_count"].value == 0
    assert companies(postgres_url) == rows and not (target / "clogo-99999.png").exists()
