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


@njit(cache=True, nogil=True)
def transcode(src, out, utf8, length, expected_fields, line, final, rejects, used):  # pragma: no cover
    """CP949 → UTF-8 CSV, prefixing every record with `<line>,`, dropping records of the wrong width.

    ASCII bytes are copied and double-byte codes mapped through the table. Quote state is
    tracked, so a newline or comma inside a quoted field ends neither the record nor the field.
    A record whose field count differs from `expected_fields` is left out of the output and
    noted in `rejects[used]` as (line, fields, source start, source end).
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
                    fields += 1
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
                    committed_i = i
                    committed_j = j
                    committed_line = line
                    record_line = line
                    record_src = i
                    fields = 1
                    j = _write_line_number(out, j, line, digits)
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
            out[j] = 10
            committed_j = j + 1
        committed_i = n
    return committed_j, committed_i, committed_line, used, 0
