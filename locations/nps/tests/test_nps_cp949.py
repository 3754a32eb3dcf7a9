"""The CP949 → UTF-8 kernel agrees with Python's codec and splits work without changing output."""

import pytest
from dag_nps.nps_cp949 import DecodeError, transcode_bytes, transcode_file
from dag_nps.nps_sample import encode_rows, month_rows


def sample_bytes(rows=200):
    records = [list(r) for r in month_rows("2022-04", rows)]
    for index in range(0, rows, 7):
        records[index][1] = f'"{records[index][1]}"\n둘째 줄, 쉼표'
    return encode_rows(records)


def expected_output(data: bytes) -> bytes:
    """Python's codec, with the `<line>,` prefix the kernel adds to every record."""
    import csv
    import io

    text = data.decode("cp949")
    out, line = [], 1
    reader = csv.reader(io.StringIO(text, newline=""))
    for record in reader:
        out.append(f"{line},")
        line_text = io.StringIO()
        csv.writer(line_text, lineterminator="\r\n").writerow(record)
        out.append(line_text.getvalue())
        line = reader.line_num + 1
    return "".join(out).encode("utf-8")


def test_the_kernel_output_equals_pythons_codec_plus_line_numbers(tmp_path):
    data = sample_bytes()
    path = tmp_path / "x.csv"
    path.write_bytes(data)
    utf8, result = transcode_bytes(path, data, expected_fields=22)
    assert bytes(utf8) == expected_output(data)
    assert result.rejects == []


@pytest.mark.parametrize("workers", [2, 3, 5])
def test_splitting_the_file_between_threads_gives_the_same_bytes_even_inside_quoted_newlines(tmp_path, workers):
    data = sample_bytes(301)
    path = tmp_path / "x.csv"
    path.write_bytes(data)
    single, _ = transcode_bytes(path, data, expected_fields=22, workers=1)
    split, _ = transcode_bytes(path, data, expected_fields=22, workers=workers)
    assert bytes(split) == bytes(single)


def test_streaming_in_small_chunks_gives_the_same_bytes(tmp_path):
    data = sample_bytes(50)
    path = tmp_path / "x.csv"
    path.write_bytes(data)
    target = tmp_path / "out.csv"
    transcode_file(path, target, expected_fields=22, chunk_bytes=97)
    whole, _ = transcode_bytes(path, data, expected_fields=22)
    assert target.read_bytes() == bytes(whole)


def test_a_lone_lead_byte_at_the_end_is_an_error_with_its_line(tmp_path):
    data = sample_bytes(3) + b"\xb0"
    path = tmp_path / "x.csv"
    path.write_bytes(data)
    # header + three records, the first of which spans two lines: the stray byte is on line 6
    with pytest.raises(DecodeError, match="line 6: byte offset"):
        transcode_bytes(path, data, expected_fields=22)
