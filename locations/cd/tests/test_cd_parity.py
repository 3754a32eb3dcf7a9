"""The Turso mirror: the same steps on libsql give the same tables as Postgres, row by row."""

from cd_support import SAMPLE_DAYS, backend, load_days, query, resources
from dag_cd.defs.cd_turso_matches_postgres import parity_result
from dag_cd.lib.parity import compare_sinks
from dag_cd.lib.schema import TABLES


def test_postgres_and_turso_agree_row_by_row_on_the_sample_days(postgres_url, data_dir):
    res = resources(postgres_url, data_dir)
    load_days("postgres", res)
    load_days("turso", res)
    report = compare_sinks(backend("postgres", res), backend("turso", res))
    assert set(report) == set(TABLES)
    assert {t: r["differences"] for t, r in report.items()} == {t: 0 for t in TABLES}
    assert report["price"]["postgres_rows"] == report["price"]["turso_rows"] > 0
    assert report["security_rank"]["turso_rows"] > 0 and report["search_name"]["turso_rows"] > 0
    # Documented per sink: Postgres stores dates, libsql `YYYY-MM-DD` text.
    assert query(res, "SELECT typeof(date) FROM price LIMIT 1", sink="turso") == [("text",)]
    assert query(res, "SELECT pg_typeof(date)::text FROM price LIMIT 1") == [("date",)]


def test_the_parity_check_fails_when_the_mirror_drifts(postgres_url, data_dir):
    res = resources(postgres_url, data_dir)
    load_days("postgres", res, days=SAMPLE_DAYS[:1])
    load_days("turso", res, days=SAMPLE_DAYS[:1])
    with backend("turso", res).transaction() as tx:
        tx.execute("UPDATE price SET close = close + 1 WHERE ticker = ?", ("005930",))
    check_result = parity_result(backend("postgres", res), backend("turso", res))
    assert check_result.passed is False
    assert "price" in check_result.metadata["tables_differing"].value


def test_the_parity_check_is_registered_on_the_mirror():
    from dag_cd.definitions import defs

    keys = defs.resolve_asset_graph().asset_check_keys
    assert any(
        k.name == "cd_turso_matches_postgres" and k.asset_key.path == ["cd_update_rank_to_security_turso"]
        for k in keys
    )
