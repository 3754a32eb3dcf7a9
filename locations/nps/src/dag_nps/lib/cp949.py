"""Fast, strict splitting of CP949 CSV files into typed Arrow columns.

Python's CP949 codec decodes about 90 MB/s, and a CSV parser run over the re-encoded text costs
as much again, which would cap the silver digest far below the legacy-relative target. This
module runs one compiled pass (`cp949_kernel`) over a lookup table built from Python's own
CP949 codec: bytes are decoded, split into fields, trimmed and typed straight into Arrow buffers,
so the decoded text equals `bytes.decode("cp949")` and nothing is parsed twice. An undecodable
byte raises with the file, line and byte offset. Heavy imports stay inside the functions.
"""

from __future__ import annotations

import functools
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from itertools import pairwise
from pathlib import Path
from typing import Any

from dag_nps.lib.cp949_codes import INT64, NAME, TEXT

SLICE_BYTES = 24 * 1024 * 1024  # about 120,000 records: one DuckDB row group per slice
MAX_REPORTS = 100_000  # rejected records or unconvertible values per slice before giving up


class DecodeError(ValueError):
    """A byte sequence that is not CP949, located by file, line and byte offset."""


class TooManyBadRecords(ValueError):
    """So many records are malformed that the file is wrong as a whole (another month, another format)."""


@functools.cache
def _table():
    """(utf8 bytes [65536, 3], length [65536]) for every CP949 double-byte code; 0 = invalid."""
    import numpy as np

    utf8 = np.zeros((65536, 3), dtype=np.uint8)
    length = np.zeros(65536, dtype=np.uint8)
    for lead in range(0x81, 0xFF):
        for trail in range(0x41, 0xFF):
            try:
                encoded = bytes((lead, trail)).decode("cp949").encode("utf-8")
            except UnicodeDecodeError:
                continue
            code = lead << 8 | trail
            length[code] = len(encoded)
            utf8[code, : len(encoded)] = list(encoded)
    return utf8, length


def _compiled():
    """The compiled kernel module (numba, imported on first use)."""
    import os

    from dag_shared.settings import data_dir

    # numba caches compiled code next to the module; where the package is read-only (an
    # installed image) that fails, so the cache goes to the data directory unless set.
    os.environ.setdefault("NUMBA_CACHE_DIR", str(data_dir() / "numba_cache"))
    from dag_nps.lib import cp949_kernel

    return cp949_kernel


@dataclass(frozen=True)
class Layout:
    """What the kernel stores for each field position: kind, length limit in characters (0 = none)."""

    kinds: tuple[int, ...]
    limits: tuple[int, ...]
    month: str = ""  # the data month every MONTH field must equal (YYYY-MM)

    @classmethod
    def text(cls, fields: int) -> Layout:
        """Every field as text: enough to check decoding and field counts."""
        return cls((TEXT,) * fields, (0,) * fields)

    def slots(self) -> tuple[list[int], int, int, int]:
        """(slot of each position within its buffer, text slots, int32/date slots, int64 slots)."""
        counts = {"text": 0, "small": 0, "big": 0}
        slots = []
        for kind in self.kinds:
            group = "text" if kind in (TEXT, NAME) else "big" if kind == INT64 else "small"
            slots.append(counts[group])
            counts[group] += 1
        return slots, counts["text"], counts["small"], counts["big"]


@dataclass
class Columns:
    """Row-indexed buffers for every record of a file, which the kernel fills slice by slice."""

    views: Any  # [text slot, row, 16] Arrow string views
    small: Any  # [slot, row] int32 values and dates (days since 1970)
    big: Any  # [slot, row] int64 values
    valid: Any  # [position, row] 1 where the value is not null
    lines: Any  # [row] source line of each row

    @classmethod
    def allocate(cls, layout: Layout, rows: int) -> Columns:
        import numpy as np

        _, text_slots, small_slots, big_slots = layout.slots()
        return cls(
            np.empty((text_slots, rows, 16), dtype=np.uint8),
            np.empty((small_slots, rows), dtype=np.int32),
            np.empty((big_slots, rows), dtype=np.int64),
            np.zeros((len(layout.kinds), rows), dtype=np.uint8),
            np.empty(rows, dtype=np.int64),
        )

    def move_rows(self, source: int, target: int, count: int) -> None:
        """Close a gap: rows [source, source + count) move down to `target`."""
        for array in (self.views, self.small, self.big, self.valid):
            array[:, target : target + count] = array[:, source : source + count]
        self.lines[target : target + count] = self.lines[source : source + count]


@dataclass
class Split:
    columns: Columns | None  # rows [0, rows) hold every kept record in file order
    rows: int = 0
    buffers: list = field(default_factory=list)  # UTF-8 data buffers the text views point into
    rejects: list[tuple[int, int, bytes]] = field(default_factory=list)  # (line, fields, raw record)
    errors: list[tuple[int, int, int, bytes]] = field(
        default_factory=list
    )  # (line, position, code, raw record)


@dataclass
class _Slice:
    start: int  # byte offset in the file
    end: int
    first_line: int
    row_base: int  # first row of the slice's region in Columns
    row_limit: int  # end of that region


def _run(
    src: Any, piece: _Slice, final: bool, layout: Layout, columns: Columns, buffer_index: int, source: Path
):
    """Run the kernel over one slice; returns (rows, data buffer, consumed, next line, rejects, errors)."""
    import numpy as np

    utf8, length = _table()
    slots = layout.slots()[0]
    data = np.empty(len(src) * 3 // 2 + 64, dtype=np.uint8)
    rejects = np.empty((MAX_REPORTS, 4), dtype=np.int64)
    errors = np.empty((MAX_REPORTS, 5), dtype=np.int64)
    month_days = (date.fromisoformat(f"{layout.month}-01") - date(1970, 1, 1)).days if layout.month else 0
    result = _compiled().split_records(
        src,
        piece.first_line,
        final,
        utf8,
        length,
        np.array(layout.kinds, dtype=np.int64),
        np.array(slots, dtype=np.int64),
        np.array(layout.limits, dtype=np.int64),
        np.frombuffer(layout.month.encode(), dtype=np.uint8),
        month_days,
        data,
        buffer_index,
        piece.row_base,
        columns.views,
        columns.small,
        columns.big,
        columns.valid,
        columns.lines,
        rejects,
        errors,
    )
    rows, used, consumed, next_line, rejects_used, errors_used, failed_at = result
    if failed_at == -1:
        first = min([int(rejects[0, 0])] * bool(rejects_used) + [int(errors[0, 0])] * bool(errors_used))
        raise TooManyBadRecords(
            f"{source}: line {first}: more than {MAX_REPORTS:,} records from here on have a wrong field count or a "
            "value that does not convert; the file is not digested (is it the partition's month and format?)"
        )
    if failed_at:
        bad = failed_at - 1
        raw = src[bad : bad + 2].tobytes()
        line = piece.first_line + int(np.count_nonzero(src[:bad] == 10))
        raise DecodeError(
            f"{source}: line {line}: byte offset {piece.start + bad}: bytes {raw.hex()} are not valid CP949"
        )
    assert piece.row_base + rows <= piece.row_limit, "a slice wrote past its rows"
    reject_list = [
        (int(line), int(count), src[start:end].tobytes())
        for line, count, start, end in rejects[:rejects_used].tolist()
    ]
    error_list = [
        (int(line), int(position), int(code), src[start:end].tobytes())
        for line, position, code, start, end in errors[:errors_used].tolist()
    ]
    return int(rows), data[:used], int(consumed), int(next_line), reject_list, error_list


def split_records(
    source: Path,
    data: Any,
    start: int,
    first_line: int,
    layout: Layout,
    workers: int = 1,
    slice_bytes: int = SLICE_BYTES,
) -> Split:
    """Split the records of `data` (bytes or an mmap) from byte `start` (line `first_line`) over `workers` threads.

    Slices are cut at line breaks, and each owns as many rows as it has line breaks (one more for
    the last, which may lack one), so the rows of a clean file follow each other without a gap
    and come out as one Arrow chunk. A slice may only start a record if the slice before it
    ended exactly on a record boundary (a line break outside quotes); that is checked afterwards,
    and a slice that started inside a quoted field is redone from the previous slice's left-over
    bytes, into the rows that slice left unused.
    """
    import numpy as np

    rounds = max(1, -(-(len(data) - start) // (slice_bytes * max(1, workers))))
    count = rounds * max(1, workers)  # a multiple of the workers, so that they finish together
    cuts = [start]
    for k in range(1, count):
        cut = data.find(b"\n", start + (len(data) - start) * k // count) + 1
        if cut <= cuts[-1] or cut >= len(data):
            break
        cuts.append(cut)
    cuts.append(len(data))
    src = np.frombuffer(data, dtype=np.uint8)
    count_line_breaks = _compiled().count_line_breaks
    slices, line, row = [], first_line, 0

    def run(index: int):
        piece = slices[index]
        return _run(
            src[piece.start : piece.end], piece, index == len(slices) - 1, layout, columns, index, source
        )

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        breaks = list(pool.map(lambda cut: count_line_breaks(src[cut[0] : cut[1]]), pairwise(cuts)))
        for begin, end, count in zip(cuts, cuts[1:], breaks):
            rows = count + (1 if end == len(data) else 0)
            slices.append(_Slice(begin, end, line, row, row + rows))
            line, row = line + count, row + rows
        columns = Columns.allocate(layout, max(row, 1))
        results = list(pool.map(run, range(len(slices))))
    for k in range(1, len(slices)):
        previous, (rows, _, consumed, next_line, _, _) = slices[k - 1], results[k - 1]
        if previous.start + consumed != slices[k].start:  # the cut fell inside a quoted field
            slices[k] = _Slice(
                previous.start + consumed,
                slices[k].end,
                next_line,
                previous.row_base + rows,
                slices[k].row_limit,
            )
            columns.valid[:, slices[k].row_base : slices[k].row_limit] = 0  # the first attempt's flags
            results[k] = run(k)
    split = Split(columns)
    for piece, (rows, buffer, _, _, rejects, errors) in zip(slices, results):
        if piece.row_base != split.rows:
            columns.move_rows(piece.row_base, split.rows, rows)
        split.rows += rows
        split.buffers.append(buffer)
        split.rejects.extend(rejects)
        split.errors.extend(errors)
    return split


def scan_file(source: Path, fields: int, chunk_bytes: int = 16 * 1024 * 1024) -> Split:
    """Check a whole file in bounded memory: decoding and field counts, header included.

    The returned split carries the rejected records only (no rows). Only whole records are
    handed on between chunks, so the working memory stays bounded whatever the file size.
    """
    import numpy as np

    layout = Layout.text(fields)
    split = Split(None)
    line, offset, carry = 1, 0, b""
    with open(source, "rb") as reader:
        while True:
            block = reader.read(chunk_bytes)
            final = not block
            data = carry + block
            if not data:
                break
            src = np.frombuffer(data, dtype=np.uint8)
            rows = int(_compiled().count_line_breaks(src)) + 1
            piece = _Slice(offset, offset + len(data), line, 0, rows)
            _, _, consumed, line, rejects, _ = _run(
                src, piece, final, layout, Columns.allocate(layout, rows), 0, source
            )
            split.rejects.extend(rejects)
            offset += consumed
            carry = data[consumed:]
            if final:
                break
    return split
