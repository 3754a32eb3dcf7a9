"""The compiled byte loop of `nps_cp949` (imported lazily: numba is a heavy import)."""

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def _write_line_number(out, j, line, digits):  # pragma: no cover - compiled
    count = 0
    value = line
    while True:
        digits[count] = 48 + value % 10
        count += 1
        value //= 10
        if value == 0:
            break
    for k in range(count):
        out[j + k] = digits[count - 1 - k]
    out[j + count] = 44
    return j + count + 1


@njit(cache=True, nogil=True, inline="always")
def _space_at(out, first, last):  # pragma: no cover - compiled
    """Whether a UTF-8 value out[first..last] starts or ends with a Unicode White_Space character.

    ASCII spaces and controls 9–13, U+0085, U+00A0, U+1680, U+2000–U+200A, U+2028, U+2029,
    U+202F, U+205F and U+3000 are what `str.strip_chars()` would remove.
    """
    b = out[first]
    if b == 32 or (9 <= b <= 13):
        return True
    if b == 0xC2 or b == 0xE1 or b == 0xE2 or b == 0xE3:
        if last - first >= 1 and b == 0xC2 and (out[first + 1] == 0xA0 or out[first + 1] == 0x85):
            return True
        if last - first >= 2:
            b1 = out[first + 1]
            b2 = out[first + 2]
            if b == 0xE3 and b1 == 0x80 and b2 == 0x80:
                return True
            if b == 0xE2 and b1 == 0x80 and (b2 <= 0x8A or b2 == 0xA8 or b2 == 0xA9 or b2 == 0xAF):
                return True
            if b == 0xE2 and b1 == 0x81 and b2 == 0x9F:
                return True
            if b == 0xE1 and b1 == 0x9A and b2 == 0x80:
                return True
    e = out[last]
    if e == 32 or (9 <= e <= 13):
        return True
    if e >= 0x80 and last - first >= 1:
        e1 = out[last - 1]
        if e1 == 0xC2 and (e == 0xA0 or e == 0x85):
            return True
        if last - first >= 2:
            e2 = out[last - 2]
            if e2 == 0xE3 and e1 == 0x80 and e == 0x80:
                return True
            if e2 == 0xE2 and e1 == 0x80 and (e <= 0x8A or e == 0xA8 or e == 0xA9 or e == 0xAF):
                return True
            if e2 == 0xE2 and e1 == 0x81 and e == 0x9F:
                return True
            if e2 == 0xE1 and e1 == 0x9A and e == 0x80:
                return True
    return False


@njit(cache=True, nogil=True, inline="always")
def _note_field(out, start, end, column, needs_clean):  # pragma: no cover - compiled
    """Flag `column` when the field out[start:end] needs trimming or is a quoted empty string."""
    if column >= needs_clean.shape[0] or needs_clean[column] or end <= start:
        return
    if out[start] == 34:  # quoted: look inside the quotes
        if end - start <= 2:
            needs_clean[column] = 1
            return
        first, last = start + 1, end - 2
        if out[last + 1] != 34:  # text after the closing quote: leave it to the general path
            needs_clean[column] = 1
            return
    else:
        first, last = start, end - 1
    if _space_at(out, first, last):
        needs_clean[column] = 1


@njit(cache=True, nogil=True)
def transcode(src, out, utf8, length, expected_fields, line, final, rejects, used, needs_clean):  # pragma: no cover
    """CP949 → UTF-8 CSV, prefixing every record with `<line>,`, dropping records of the wrong width.

    ASCII bytes are copied and double-byte codes mapped through the table. Quote state is
    tracked, so a newline or comma inside a quoted field ends neither the record nor the field.
    A record whose field count differs from `expected_fields` is left out of the output and
    noted in `rejects[used]` as (line, fields, source start, source end). `needs_clean[c]` is
    set when a data value of column c may need trimming (or is a quoted empty string).
    Only whole records are consumed unless `final`; the caller carries the rest to the next call.
    Returns (bytes written, bytes consumed, next line, rejects used, offset + 1 of an
    undecodable byte or 0).
    """
    n = src.shape[0]
    digits = np.empty(20, dtype=np.uint8)
    in_quotes = False
    i = 0
    j = 0
    committed_i = 0
    committed_j = 0
    committed_line = line
    record_line = line
    record_src = 0
    fields = 1
    j = _write_line_number(out, j, line, digits)
    field_start = j
    while i < n:
        b = src[i]
        if b < 0x80:
            out[j] = b
            i += 1
            j += 1
            if b == 34:
                in_quotes = not in_quotes
            elif b == 44:
                if not in_quotes:
                    if record_line > 1 and fields <= expected_fields and needs_clean[fields - 1] == 0:
                        _note_field(out, field_start, j - 1, fields - 1, needs_clean)
                    fields += 1
                    field_start = j
            elif b == 10:
                line += 1
                if not in_quotes:
                    if fields != expected_fields:
                        if used == rejects.shape[0]:
                            return committed_j, committed_i, committed_line, used, -1
                        rejects[used, 0] = record_line
                        rejects[used, 1] = fields
                        rejects[used, 2] = record_src
                        rejects[used, 3] = i
                        used += 1
                        j = committed_j
                    elif record_line > 1 and needs_clean[fields - 1] == 0:
                        end = j - 1
                        if end > field_start and out[end - 1] == 13:
                            end -= 1
                        _note_field(out, field_start, end, fields - 1, needs_clean)
                    committed_i = i
                    committed_j = j
                    committed_line = line
                    record_line = line
                    record_src = i
                    fields = 1
                    j = _write_line_number(out, j, line, digits)
                    field_start = j
            continue
        if i + 1 >= n:
            if not final:
                break
            return committed_j, committed_i, committed_line, used, i + 1
        code = np.int64(b) * 256 + np.int64(src[i + 1])
        size = length[code]
        if size == 0:
            return committed_j, committed_i, committed_line, used, i + 1
        # always copy three bytes (the buffer has slack), then advance by the real size
        out[j] = utf8[code, 0]
        out[j + 1] = utf8[code, 1]
        out[j + 2] = utf8[code, 2]
        i += 2
        j += size
    if final and i > record_src and i >= n:
        # the last record has no line break: a short (truncated) record is rejected
        if fields != expected_fields or in_quotes:
            if used == rejects.shape[0]:
                return committed_j, committed_i, committed_line, used, -1
            rejects[used, 0] = record_line
            rejects[used, 1] = fields
            rejects[used, 2] = record_src
            rejects[used, 3] = n
            used += 1
        else:
            if record_line > 1:
                end = j
                if end > field_start and out[end - 1] == 13:
                    end -= 1
                _note_field(out, field_start, end, fields - 1, needs_clean)
            out[j] = 10
            committed_j = j + 1
        committed_i = n
    return committed_j, committed_i, committed_line, used, 0
