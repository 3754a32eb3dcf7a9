"""The compiled record splitter of `cp949` (imported lazily: numba is a heavy import).

One pass over the CP949 bytes decodes, splits, trims and types every field straight into Arrow
buffers: text as string views over UTF-8 data buffers, dates as days since 1970, integers as
integers, each with a validity flag. A record of the wrong width, or with a value that does not
convert, is left out and reported; nothing is re-parsed afterwards.
"""

import numpy as np
from numba import njit

from dag_nps.lib.cp949_codes import (
    DATE,
    EMPTY_NAME,
    INT32,
    MONTH,
    NAME,
    NOT_DATE,
    NOT_INTEGER,
    TEXT,
    TOO_LONG,
    WRONG_MONTH,
)

INT32_MAX = 2147483647
INT64_MAX = 9223372036854775807


# Helpers take scalars only: an array argument costs two atomic reference-count updates per call,
# which at 13 million fields a month would cost more than all the decoding.


@njit(cache=True, nogil=True)
def _space_ahead(b, b1, b2, available):  # pragma: no cover - compiled
    """Byte length of the Unicode White_Space character whose bytes are b, b1, b2, or 0.

    ASCII spaces and controls 9–13, U+0085, U+00A0, U+1680, U+2000–U+200A, U+2028, U+2029,
    U+202F, U+205F and U+3000: what `str.strip()` removes.
    """
    if b == 32 or (9 <= b <= 13):
        return 1
    if b < 0x80:
        return 0
    if b == 0xC2 and available >= 2 and (b1 == 0xA0 or b1 == 0x85):
        return 2
    if available >= 3 and _wide_space(b, b1, b2):
        return 3
    return 0


@njit(cache=True, nogil=True)
def _space_behind(e2, e1, e, available):  # pragma: no cover - compiled
    """Byte length of the White_Space character ending with byte e (preceded by e1, e2), or 0."""
    if e == 32 or (9 <= e <= 13):
        return 1
    if e < 0x80:
        return 0
    if available >= 2 and e1 == 0xC2 and (e == 0xA0 or e == 0x85):
        return 2
    if available >= 3 and _wide_space(e2, e1, e):
        return 3
    return 0


@njit(cache=True, nogil=True)
def _wide_space(b, b1, b2):  # pragma: no cover - compiled
    """Whether three UTF-8 bytes are one of the three-byte White_Space characters."""
    if b == 0xE3:
        return b1 == 0x80 and b2 == 0x80
    if b == 0xE2:
        if b1 == 0x80:
            return b2 <= 0x8A or b2 == 0xA8 or b2 == 0xA9 or b2 == 0xAF
        return b1 == 0x81 and b2 == 0x9F
    return b == 0xE1 and b1 == 0x9A and b2 == 0x80


@njit(cache=True, nogil=True)
def _days_from_civil(y, m, d):  # pragma: no cover - compiled
    """Days since 1970-01-01 of a proleptic Gregorian date."""
    y -= m <= 2
    era = (y if y >= 0 else y - 399) // 400
    yoe = y - era * 400
    mp = m + 9 if m <= 2 else m - 3
    doy = (153 * mp + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


@njit(cache=True, nogil=True)
def _month_length(y, m):  # pragma: no cover - compiled
    if m == 2:
        return 29 if (y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)) else 28
    return 30 if (m == 4 or m == 6 or m == 9 or m == 11) else 31


@njit(cache=True, nogil=True)
def split_records(
    src,
    first_line,
    final,
    utf8,
    length,
    kinds,
    slots,
    limits,
    month,
    month_days,
    data,
    buffer_index,
    row_base,
    views,
    small,
    big,
    valid,
    lines,
    rejects,
    errors,
):  # pragma: no cover
    """Split CP949 records into typed columns.

    Returns (rows, data bytes used, source bytes consumed, next line, rejects, errors, failed_at).

    `src` holds whole records (no header). ASCII bytes are copied and double-byte codes mapped
    through the table into `data`; quote characters are removed ("" inside quotes is one quote),
    and a comma or line break inside quotes is content. Each field is trimmed and stored by its
    kind into `views` (text), `small` (int32 and dates) or `big` (int64) at row `row_base` onwards,
    with `valid[column, row]` set when it is not null. Text views point into `data`, which is
    variadic buffer `buffer_index` of the Arrow arrays.
    A record whose field count differs from the layout is noted in `rejects` as (line, fields,
    source start, source end); a value that does not convert in `errors` as (line, column,
    code, source start, source end); neither record becomes a row. Only whole records are
    consumed unless `final`. `failed_at` is the offset + 1 of an undecodable byte, -1 when a
    report table is full, else 0.
    """
    n = src.shape[0]
    expected = kinds.shape[0]
    i = 0
    j = 0
    row = 0
    line = first_line
    used_rejects = 0
    used_errors = 0
    committed_i = 0
    committed_line = line
    record_line = line
    record_src = 0
    record_errors = 0
    record_j = 0
    fields = 1
    field_start = 0
    in_quotes = False
    while True:
        at_end = i >= n
        b = 0 if at_end else src[i]
        if at_end or (
            b < 0x80
            and not in_quotes
            and (b == 44 or b == 10 or (b == 13 and (i + 1 >= n or src[i + 1] == 10)))
        ):
            if at_end and (not final or i == record_src):
                break
            if b == 13:
                i += 1
                continue
            if fields <= expected:
                column = fields - 1
                at = row_base + row
                start = field_start
                end = j
                while start < end:
                    width = _space_ahead(data[start], data[start + 1], data[start + 2], end - start)
                    if width == 0:
                        break
                    start += width
                while end > start:
                    width = _space_behind(data[end - 3], data[end - 2], data[end - 1], end - start)
                    if width == 0:
                        break
                    end -= width
                kind = kinds[column]
                slot = slots[column]
                size = end - start
                code = 0
                has_value = size > 0
                if kind == TEXT or kind == NAME:
                    if size == 0:
                        views[slot, at, 0:16] = 0
                        code = EMPTY_NAME if kind == NAME else 0
                    else:
                        if limits[column] and size > limits[column]:
                            chars = 0
                            for k in range(start, end):
                                chars += (data[k] & 0xC0) != 0x80
                            if chars > limits[column]:
                                code = TOO_LONG
                        views[slot, at, 0] = size & 0xFF
                        views[slot, at, 1] = (size >> 8) & 0xFF
                        views[slot, at, 2] = (size >> 16) & 0xFF
                        views[slot, at, 3] = (size >> 24) & 0xFF
                        if size <= 12:
                            for k in range(12):
                                views[slot, at, 4 + k] = data[start + k] if k < size else 0
                        else:
                            for k in range(4):
                                views[slot, at, 4 + k] = data[start + k]
                                views[slot, at, 8 + k] = (buffer_index >> (8 * k)) & 0xFF
                                views[slot, at, 12 + k] = (start >> (8 * k)) & 0xFF
                elif kind == MONTH:
                    if size != month.shape[0]:
                        code = WRONG_MONTH
                    else:
                        for k in range(size):
                            if data[start + k] != month[k]:
                                code = WRONG_MONTH
                        small[slot, at] = month_days
                elif size == 0:
                    pass
                elif kind == DATE:
                    y = m = d = 0
                    if size == 10 and data[start + 4] == 45 and data[start + 7] == 45:
                        for k in range(10):
                            digit = np.int64(data[start + k]) - 48
                            if k == 4 or k == 7:
                                continue
                            if digit < 0 or digit > 9:
                                y = -1
                                break
                            if k < 4:
                                y = y * 10 + digit
                            elif k < 7:
                                m = m * 10 + digit
                            else:
                                d = d * 10 + digit
                    if y < 1 or m < 1 or m > 12 or d < 1 or d > _month_length(y, m):
                        code = NOT_DATE
                    elif y == 1 and m == 1 and d == 1:
                        has_value = False  # 0001-01-01: no date
                    else:
                        small[slot, at] = _days_from_civil(y, m, d)
                else:
                    negative = data[start] == 45
                    first = start + 1 if (data[start] == 45 or data[start] == 43) else start
                    cutoff = (INT32_MAX if kind == INT32 else INT64_MAX) // 10
                    last_digit = 7  # the last digit of both limits
                    value = 0
                    if first == end:
                        code = NOT_INTEGER
                    for k in range(first, end):
                        digit = np.int64(data[k]) - 48
                        if (
                            digit < 0
                            or digit > 9
                            or value > cutoff
                            or (value == cutoff and digit > last_digit)
                        ):
                            code = NOT_INTEGER
                            break
                        value = value * 10 + digit
                    if negative:
                        value = -value
                    if kind == INT32:
                        small[slot, at] = value
                    else:
                        big[slot, at] = value
                if has_value and code == 0:
                    valid[column, at] = 1
                if code:
                    if used_errors == errors.shape[0]:
                        return row, record_j, committed_i, committed_line, used_rejects, used_errors, -1
                    errors[used_errors, 0] = record_line
                    errors[used_errors, 1] = fields - 1
                    errors[used_errors, 2] = code
                    errors[used_errors, 3] = record_src
                    used_errors += 1
            if b == 44 and not at_end:
                i += 1
                fields += 1
                field_start = j
                continue
            # the end of a record: a line break, or the end of the last slice
            i += 0 if at_end else 1
            if fields != expected or in_quotes:
                if used_rejects == rejects.shape[0]:
                    return row, record_j, committed_i, committed_line, used_rejects, used_errors, -1
                rejects[used_rejects, 0] = record_line
                rejects[used_rejects, 1] = fields
                rejects[used_rejects, 2] = record_src
                rejects[used_rejects, 3] = i
                used_rejects += 1
                used_errors = record_errors
            elif used_errors > record_errors:
                for e in range(record_errors, used_errors):
                    errors[e, 4] = i
            else:
                lines[row_base + row] = record_line
                row += 1
            if used_errors > record_errors or fields != expected or in_quotes:
                j = record_j  # the record is left out: its row slot and data bytes are reused
                for c in range(expected):
                    valid[c, row_base + row] = 0
            if not at_end:
                line += 1
            in_quotes = False
            record_errors = used_errors
            committed_i = i
            committed_line = line
            record_line = line
            record_src = i
            fields = 1
            record_j = j
            field_start = j
            if at_end:
                break
            continue
        if b < 0x80:
            i += 1
            if b == 34:
                if in_quotes and i < n and src[i] == 34:
                    data[j] = 34
                    j += 1
                    i += 1
                else:
                    in_quotes = not in_quotes
                continue
            if b == 10:
                line += 1
            data[j] = b
            j += 1
            continue
        if i + 1 >= n:
            if not final:
                break
            return row, record_j, committed_i, committed_line, used_rejects, used_errors, i + 1
        code = np.int64(b) * 256 + np.int64(src[i + 1])
        size = length[code]
        if size == 0:
            return row, record_j, committed_i, committed_line, used_rejects, used_errors, i + 1
        # always copy three bytes (the buffer has slack), then advance by the real size
        data[j] = utf8[code, 0]
        data[j + 1] = utf8[code, 1]
        data[j + 2] = utf8[code, 2]
        i += 2
        j += size
    return row, record_j, committed_i, committed_line, used_rejects, used_errors, 0


@njit(cache=True, nogil=True)
def count_line_breaks(src):  # pragma: no cover - compiled
    """Line feeds in `src`: an upper bound of the records a slice holds."""
    count = 0
    for i in range(src.shape[0]):
        count += src[i] == 10
    return count
