"""Head-and-tail previews and schemas from polars and DuckDB."""

from __future__ import annotations

import duckdb
import polars as pl
from dag_shared.metadata import duckdb_query_metadata, frame_metadata, preview_markdown


def test_a_small_frame_is_shown_whole_without_an_ellipsis_row():
    metadata = frame_metadata(pl.DataFrame({"a": [1, 2], "b": ["x", "y"]}))
    assert metadata["dagster/row_count"].value == 2
    assert "more rows" not in metadata["preview"].value
    assert [c.type for c in metadata["dagster/column_schema"].columns] == ["Int64", "String"]


def test_a_large_frame_shows_first_and_last_rows():
    metadata = frame_metadata(pl.DataFrame({"n": list(range(100))}), n=2)
    lines = metadata["preview"].value.splitlines()
    assert lines[2:] == ["| 0 |", "| 1 |", "| … 96 more rows … |", "| 98 |", "| 99 |"]


def test_pipes_and_newlines_in_cells_do_not_break_the_table():
    text = preview_markdown(["name"], [("a|b\nc",)], [], 1)
    assert text.splitlines()[2] == "| a\\|b c |"


def test_duckdb_table_metadata_reads_the_table(tmp_path):
    conn = duckdb.connect(str(tmp_path / "x.duckdb"))
    conn.execute("CREATE TABLE t AS SELECT range AS id, 'row ' || range AS label FROM range(12)")
    metadata = duckdb_query_metadata(conn, "t", n=2)
    assert metadata["dagster/row_count"].value == 12
    assert "| 11 | row 11 |" in metadata["preview"].value
    assert [c.name for c in metadata["dagster/column_schema"].columns] == ["id", "label"]
