"""Header matching by normalised name prefix (no position-only mapping)."""

import pytest
from dag_nps.lib.columns import COLUMN_NAMES, ORIGINAL_HEADER, HeaderError, match_header


def test_the_current_header_maps_to_the_22_legacy_column_names():
    assert match_header(ORIGINAL_HEADER.split(",")) == list(COLUMN_NAMES)


def test_older_descriptive_header_names_match_by_prefix_and_the_longest_prefix_wins():
    fields = [f"{name}(설명: 예전 양식)" for name in ORIGINAL_HEADER.split(",")]
    fields[0] = "\ufeff" + fields[0]
    assert match_header(fields) == list(COLUMN_NAMES)
    assert match_header(fields)[COLUMN_NAMES.index("industry_name")] == "industry_name"


def test_reordered_columns_are_mapped_by_name_not_position():
    fields = ORIGINAL_HEADER.split(",")
    fields[0], fields[1] = fields[1], fields[0]
    assert match_header(fields)[:2] == ["company_name", "data_created_ym"]


def test_an_unknown_extra_or_missing_column_is_named_in_the_error():
    fields = ORIGINAL_HEADER.split(",")
    with pytest.raises(HeaderError, match="column 23 '비고'"):
        match_header([*fields, "비고"])
    with pytest.raises(HeaderError, match="missing column\\(s\\): 상실가입자수"):
        match_header(fields[:-1])
