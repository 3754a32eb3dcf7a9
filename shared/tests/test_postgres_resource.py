"""PostgresResource against a real server: transactions are all-or-nothing, COPY loads every row."""

from __future__ import annotations

import polars as pl
import pytest
from dag_shared.metadata import postgres_query_metadata
from dag_shared.resources.postgres import PostgresResource, copy_polars, copy_rows


@pytest.fixture
def warehouse(postgres_url):
    resource = PostgresResource(url=postgres_url)
    resource.execute('CREATE TABLE "pension" (code text PRIMARY KEY, name text, members integer)')
    yield resource
    resource.close()


def test_a_failed_transaction_leaves_the_previous_rows(warehouse):
    with warehouse.transaction() as conn:
        copy_rows(conn, "pension", ["code", "name", "members"], [("001", "삼성전자", 10)])
    with pytest.raises(RuntimeError), warehouse.transaction() as conn:
        conn.execute("DELETE FROM pension")
        copy_rows(conn, "pension", ["code", "name", "members"], [("002", "신협", 3)])
        raise RuntimeError("load failed half-way")
    assert warehouse.fetch_all("SELECT code, name, members FROM pension") == [("001", "삼성전자", 10)]


def test_copying_a_polars_frame_keeps_nulls_leading_zeros_and_quotes(warehouse):
    frame = pl.DataFrame(
        {
            "code": ["0001", "0002", "0003"],
            "name": ['주식회사 "가나"', None, "a,b\nc"],
            "members": [1, None, 3],
        }
    )
    with warehouse.transaction() as conn:
        assert copy_polars(conn, "pension", frame) == 3
    rows = warehouse.fetch_all("SELECT code, name, members FROM pension ORDER BY code")
    assert rows == [("0001", '주식회사 "가나"', 1), ("0002", None, None), ("0003", "a,b\nc", 3)]


def test_query_metadata_reports_count_schema_and_head_and_tail(warehouse):
    with warehouse.transaction() as conn:
        copy_rows(conn, "pension", ["code", "name", "members"], [(f"{i:04d}", f"n{i}", i) for i in range(20)])
    with warehouse.connection() as conn:
        metadata = postgres_query_metadata(conn, "SELECT * FROM pension ORDER BY code", n=3)
    assert metadata["dagster/row_count"].value == 20
    schema = metadata["dagster/column_schema"]
    assert [(c.name, c.type) for c in schema.columns] == [
        ("code", "text"),
        ("name", "text"),
        ("members", "int4"),
    ]
    preview = metadata["preview"].value
    assert (
        "| 0000 |" in preview
        and "| 0019 |" in preview
        and "14 more rows" in preview
        and "| 0010 |" not in preview
    )
