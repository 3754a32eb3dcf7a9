"""Silver digest edge cases on files in the original format (CP949, CRLF, original header)."""

import datetime as dt

import pytest
from dag_nps.lib.columns import COLUMN_NAMES, ORIGINAL_HEADER, HeaderError
from dag_nps.lib.cp949 import DecodeError
from dag_nps.lib.digest import digest_file
from dag_nps.lib.sample import encode_rows, month_rows


def rows(count=6, month="2022-04"):
    return [list(r) for r in month_rows(month, count)]


def write(
    tmp_path, records, header=ORIGINAL_HEADER, name="국민연금공단_국민연금 가입 사업장 내역_20220516.csv"
):
    path = tmp_path / name
    path.write_bytes(encode_rows(records, header=header))
    return path


def column(digest, name):
    return digest.frame.get_column(name).to_list()


def test_codes_keep_their_leading_zeros_and_numbers_become_integers(tmp_path):
    records = rows(3)
    records[0][4], records[0][13], records[0][2] = "01234", "015101", "012345"
    digest = digest_file(write(tmp_path, records), "2022-04")
    assert column(digest, "zip_code")[0] == "01234"
    assert column(digest, "industry_code")[0] == "015101"
    assert column(digest, "business_reg_num")[0] == "012345"
    assert str(digest.frame.schema["subscriber_count"]) == "Int32"
    assert str(digest.frame.schema["monthly_notice_amount"]) == "Int64"


def test_empty_and_0001_01_01_dates_are_null_and_real_dates_are_typed(tmp_path):
    records = rows(3)
    records[0][15], records[0][16], records[0][17] = "2015-03-02", "0001-01-01", ""
    digest = digest_file(write(tmp_path, records), "2022-04")
    assert column(digest, "applied_at")[0] == dt.date(2015, 3, 2)
    assert column(digest, "re_registered_at")[0] is None
    assert column(digest, "withdrawn_at")[0] is None


def test_tabs_newlines_and_quotes_inside_names_survive_and_values_are_trimmed(tmp_path):
    records = rows(3)
    records[0][1] = '  (주)"큰따옴표"\t상사\n둘째 줄  '
    digest = digest_file(write(tmp_path, records), "2022-04")
    assert column(digest, "company_name")[0] == '(주)"큰따옴표"\t상사\n둘째 줄'
    # the record after a two-line record starts on line 4 of the file
    assert column(digest, "source_line")[:2] == [2, 4]


def test_a_row_with_the_wrong_field_count_is_quarantined_with_file_and_line(tmp_path):
    records = rows(4)
    records[1] = records[1][:20]
    records[2] = [*records[2], "extra"]
    path = write(tmp_path, records)
    digest = digest_file(path, "2022-04")
    assert digest.frame.height == 2
    assert [(q[1], q[2], q[3]) for q in digest.quarantine] == [
        (path.name, 3, "expected 22 fields, found 20"),
        (path.name, 4, "expected 22 fields, found 23"),
    ]


def test_a_non_numeric_number_is_quarantined_naming_the_column(tmp_path):
    records = rows(3)
    records[2][18] = "12명"
    digest = digest_file(write(tmp_path, records), "2022-04")
    assert digest.frame.height == 2
    (quarantined,) = digest.quarantine
    assert quarantined[2] == 4
    assert "가입자수 (subscriber_count): not an integer: 12명" in quarantined[3]


def test_a_blank_status_code_stays_a_null_status_and_the_row_is_kept(tmp_path):
    records = rows(3)
    records[1][3] = " "
    digest = digest_file(write(tmp_path, records), "2022-04")
    assert digest.frame.height == 3
    assert column(digest, "join_status")[1] is None


def test_na_like_words_are_values_not_nulls(tmp_path):
    records = rows(3)
    records[0][1], records[0][6] = "NULL", "NA"
    digest = digest_file(write(tmp_path, records), "2022-04")
    assert column(digest, "company_name")[0] == "NULL"
    assert column(digest, "road_name_address")[0] == "NA"


def test_exact_duplicates_are_removed_and_counted(tmp_path):
    records = rows(3)
    records.append(list(records[1]))
    digest = digest_file(write(tmp_path, records), "2022-04")
    assert digest.frame.height == 3
    assert digest.duplicates_removed == 1
    assert column(digest, "source_line") == [2, 3, 4]


def test_the_month_comes_from_the_data_column_not_the_file_name(tmp_path):
    records = rows(3, month="2022-03")
    records[2][0] = "2022-02"
    path = write(tmp_path, records, name="국민연금공단_국민연금 가입 사업장 내역_20220516.csv")
    digest = digest_file(path, "2022-03")
    assert set(column(digest, "data_created_ym")) == {dt.date(2022, 3, 1)}
    assert "2022-02 is not the file's month 2022-03" in digest.quarantine[0][3]


def test_a_file_of_mostly_bad_records_fails_instead_of_quarantining_them_all(tmp_path, monkeypatch):
    from dag_nps.lib import cp949 as nps_cp949

    monkeypatch.setattr(nps_cp949, "MAX_REPORTS", 3)
    path = write(tmp_path, rows(10, month="2022-03"))  # more than 3 in each of the two slices
    with pytest.raises(nps_cp949.TooManyBadRecords, match=rf"{path.name}: line 2: more than 3 records"):
        digest_file(path, "2022-04")


def test_a_changed_header_fails_naming_file_line_and_column(tmp_path):
    header = ORIGINAL_HEADER.replace("우편번호", "우편코드")
    path = write(tmp_path, rows(3), header=header)
    with pytest.raises(HeaderError, match=r"line 1: column 5 '우편코드'"):
        digest_file(path, "2022-04")


def test_an_undecodable_byte_fails_naming_file_and_line(tmp_path):
    path = write(tmp_path, rows(3))
    data = bytearray(path.read_bytes())
    second_row = data.index(b"\r\n") + 2
    third_row = data.index(b"\r\n", second_row) + 2
    data[third_row + 10 : third_row + 12] = b"\xff\xff"
    path.write_bytes(bytes(data))
    with pytest.raises(DecodeError, match=rf"{path.name}: line 3: .* not valid CP949"):
        digest_file(path, "2022-04")


def test_a_truncated_last_record_is_quarantined(tmp_path):
    path = write(tmp_path, rows(4))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 30])
    digest = digest_file(path, "2022-04")
    assert digest.frame.height == 3
    assert digest.quarantine[0][2] == 5 and "expected 22 fields" in digest.quarantine[0][3]


def test_the_silver_frame_has_the_legacy_column_names(tmp_path):
    digest = digest_file(write(tmp_path, rows(2)), "2022-04")
    assert digest.frame.columns == ["source_line", *COLUMN_NAMES]


@pytest.mark.parametrize(
    "value",
    [" 01234", "01234 ", "\t01234", "01234\u3000", "\u300001234", '"  01234  "', '""', " "],
)
def test_padded_or_quoted_empty_values_are_trimmed_in_any_column(tmp_path, value):
    records = rows(3)
    raw_value = value.strip('"') if value.startswith('"') else value
    records[1][4] = raw_value  # zip_code
    records[1][18] = raw_value.replace("01234", "7")  # subscriber_count
    digest = digest_file(write(tmp_path, records), "2022-04")
    expected_zip = raw_value.strip() or None
    assert column(digest, "zip_code")[1] == expected_zip
    assert column(digest, "subscriber_count")[1] == (7 if "7" in raw_value.replace("01234", "7") else None)


def test_out_of_range_numbers_and_impossible_dates_are_quarantined_naming_every_bad_value(tmp_path):
    records = rows(4)
    records[0][18], records[0][19] = "+7", "9223372036854775807"  # both convert
    records[1][18] = "2147483648"  # one past the INTEGER range
    records[2][15], records[2][20] = "2022-02-30", "-"
    records[3][16] = "2024-02-29"  # a leap day is a date
    digest = digest_file(write(tmp_path, records), "2022-04")
    assert column(digest, "source_line") == [2, 5]
    assert column(digest, "subscriber_count")[0] == 7
    assert column(digest, "monthly_notice_amount")[0] == 9223372036854775807
    assert column(digest, "re_registered_at")[1] == dt.date(2024, 2, 29)
    reasons = {line: reason for _, _, line, reason, _ in digest.quarantine}
    assert reasons[3] == "column 가입자수 (subscriber_count): not an integer: 2147483648"
    assert reasons[4] == (
        "column 적용일자 (applied_at): not a YYYY-MM-DD date: 2022-02-30; "
        "column 신규취득자수 (new_subscribers): not an integer: -"
    )
