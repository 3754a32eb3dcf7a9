"""The compiled CP949 splitter agrees with Python's codec and csv module, however the work is cut."""

import csv
import io

import pytest
from dag_nps.lib.columns import COLUMN_NAMES
from dag_nps.lib.cp949 import DecodeError, Layout, scan_file, split_records
from dag_nps.lib.digest import _frame, read_header
from dag_nps.lib.sample import encode_rows, month_rows


def sample_bytes(rows=200):
    records = [list(r) for r in month_rows("2022-04", rows)]
    for index in range(0, rows, 7):
        records[index][1] = f'"{records[index][1]}"\n둘째 줄, 쉼표'
    return encode_rows(records)


def as_text_rows(path, data, workers=1, slice_bytes=24 << 20):
    """Every field as text (trimmed, empty = None), one tuple per record, by the compiled splitter."""
    _, start = read_header(path, data)
    layout = Layout.text(22)
    split = split_records(path, data, start, 2, layout, workers=workers, slice_bytes=slice_bytes)
    return _frame(split, list(COLUMN_NAMES), layout).rows()


def expected_rows(data: bytes):
    """Python's codec and csv module, trimmed like the splitter; lines as the record's first line."""
    reader = csv.reader(io.StringIO(data.decode("cp949"), newline=""))
    next(reader)
    rows, line = [], 2
    for record in reader:
        rows.append((line, *[(value.strip() or None) for value in record]))
        line = reader.line_num + 1
    return rows


def test_the_splitter_equals_pythons_codec_and_csv_reader(tmp_path):
    data = sample_bytes()
    path = tmp_path / "x.csv"
    path.write_bytes(data)
    assert as_text_rows(path, data) == expected_rows(data)


@pytest.mark.parametrize("workers", [2, 3, 5])
def test_cutting_the_file_into_slices_and_threads_changes_nothing_even_inside_quoted_newlines(
    tmp_path, workers
):
    data = sample_bytes(301)
    path = tmp_path / "x.csv"
    path.write_bytes(data)
    assert as_text_rows(path, data, workers=workers, slice_bytes=997) == as_text_rows(path, data)


def test_scanning_in_small_chunks_finds_the_same_rejects_as_one_pass(tmp_path):
    records = [list(r) for r in month_rows("2022-04", 50)]
    records[10] = records[10][:21]
    records[30] = [*records[30], "extra"]
    data = encode_rows(records)
    path = tmp_path / "x.csv"
    path.write_bytes(data)
    small = scan_file(path, 22, chunk_bytes=97).rejects
    whole = scan_file(path, 22).rejects
    assert [(line, fields) for line, fields, _ in small] == [(12, 21), (32, 23)]
    assert small == whole


def test_a_lone_lead_byte_at_the_end_is_an_error_with_its_line(tmp_path):
    data = sample_bytes(3) + b"\xb0"
    path = tmp_path / "x.csv"
    path.write_bytes(data)
    # header + three records, the first of which spans two lines: the stray byte is on line 6
    with pytest.raises(DecodeError, match="line 6: byte offset"):
        scan_file(path, 22)
