"""Silver digest of one monthly file: decode, map, type, trim, de-duplicate, quarantine.

`digest_file` turns a bronze CP949 file into a typed polars frame of the month plus a list of
quarantined records (file, line, reason). The compiled splitter (`cp949`) decodes, trims and
types every field in one pass; polars only removes exact duplicates. It holds one month at a
time, never the history, and does no I/O besides reading the file.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dag_nps.lib.columns import COLUMN_NAMES, COLUMNS, SOURCE_ENCODING, HeaderError, match_header
from dag_nps.lib.cp949 import Layout, Split, split_records
from dag_nps.lib.cp949_codes import (
    DATE,
    EMPTY_NAME,
    INT32,
    INT64,
    MONTH,
    NAME,
    NOT_DATE,
    NOT_INTEGER,
    TEXT,
    WRONG_MONTH,
)

if TYPE_CHECKING:
    import polars as pl

PARSE_WORKERS = 2  # kernel threads (the kernel releases the GIL)


@dataclass
class Digest:
    frame: pl.DataFrame  # typed rows of the month, `source_line` first
    header: list[str]
    rows_read: int
    duplicates_removed: int
    quarantine: list[tuple[str, str, int, str, str]] = field(default_factory=list)
    other_months: dict[str, int] = field(default_factory=dict)  # records of another 자료생성년월, by month

    def month_counts(self, month: str) -> dict[str, int]:
        """Records read per data month: `month` (the partition) and every other month found."""
        return {month: self.rows_read - sum(self.other_months.values()), **self.other_months}


def _max_length(pg_type: str) -> int:
    return int(pg_type.split("(")[1].split(")")[0]) if "VARCHAR(" in pg_type else 0


_KINDS = {"month": MONTH, "date": DATE, "int": INT32, "bigint": INT64, "name": NAME}


def layout_for(names: list[str], month: str) -> Layout:
    """How each field of a file whose header maps to `names` is stored and checked."""
    by_name = {c.name: c for c in COLUMNS}
    kinds = tuple(_KINDS.get(by_name[n].kind, TEXT) for n in names)
    limits = tuple(_max_length(by_name[n].pg_type) if k == TEXT else 0 for n, k in zip(names, kinds))
    return Layout(kinds, limits, month)


def read_header(source: Path, data: Any) -> tuple[list[str], int]:
    """(header fields, byte offset where the data records start) of a CP949 file's bytes or mmap."""
    head = data[: 64 * 1024]
    end = head.find(b"\n")
    if end < 0:
        raise HeaderError(f"{source}: line 1: no complete header line")
    text = head[:end].decode(SOURCE_ENCODING, "replace").rstrip("\r")
    fields = next(csv.reader(io.StringIO(text)), [])
    if len(fields) != len(COLUMNS):
        raise HeaderError(
            f"{source}: line 1: the header has {len(fields)} fields, expected {len(COLUMNS)}: {text[:300]}"
        )
    return fields, end + 1


def digest_file(source: Path, month: str) -> Digest:
    """Digest one bronze file whose rows must all belong to data month `month` (YYYY-MM)."""
    import mmap

    if source.stat().st_size == 0:
        raise HeaderError(f"{source}: line 1: the file is empty")
    with source.open("rb") as handle:
        # mapped, not read: the kernel reads the page cache directly. The mapping closes when the
        # last array over it goes (an explicit close would fail while a traceback still holds one).
        data = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    header, start = read_header(source, data)
    try:
        names = match_header(header)
    except HeaderError as error:
        raise HeaderError(f"{source}: line 1: {error}") from None
    layout = layout_for(names, month)
    split = split_records(source, data, start, 2, layout, workers=PARSE_WORKERS)
    del data
    frame = _frame(split, names, layout)
    quarantine = [
        (month, source.name, line, f"expected {len(COLUMNS)} fields, found {count}", _text(raw))
        for line, count, raw in split.rejects
    ]
    other_months: dict[str, int] = {}
    quarantine += _unconvertible(split.errors, names, month, source.name, other_months)
    quarantine.sort(key=lambda item: item[2])
    deduplicated = _drop_exact_duplicates(frame)
    return Digest(
        frame=deduplicated,
        header=header,
        rows_read=frame.height + len(quarantine),
        duplicates_removed=frame.height - deduplicated.height,
        quarantine=quarantine,
        other_months=other_months,
    )


def _text(raw: bytes) -> str:
    return raw.decode(SOURCE_ENCODING, "replace").rstrip("\r\n")


def _frame(split: Split, names: list[str], layout: Layout) -> pl.DataFrame:
    """The kernel's buffers as a polars frame in silver column order: zero-copy, one chunk per column."""
    import numpy as np
    import polars as pl
    import pyarrow as pa

    arrow_types = {
        TEXT: pa.string_view(),
        NAME: pa.string_view(),
        MONTH: pa.date32(),
        DATE: pa.date32(),
        INT32: pa.int32(),
        INT64: pa.int64(),
    }
    rows, columns = split.rows, split.columns
    data = [pa.py_buffer(buffer) for buffer in split.buffers]
    arrays = {"source_line": pa.array(columns.lines[:rows])}
    for position, (name, kind, slot) in enumerate(zip(names, layout.kinds, layout.slots()[0])):
        validity = pa.py_buffer(np.packbits(columns.valid[position, :rows], bitorder="little"))
        if kind in (TEXT, NAME):
            buffers = [validity, pa.py_buffer(columns.views[slot, :rows]), *data]
        else:
            buffers = [
                validity,
                pa.py_buffer(columns.big[slot, :rows] if kind == INT64 else columns.small[slot, :rows]),
            ]
        arrays[name] = pa.Array.from_buffers(arrow_types[kind], rows, buffers)
    order = ["source_line", *COLUMN_NAMES]
    return pl.from_arrow(pa.Table.from_arrays([arrays[name] for name in order], names=order), rechunk=False)


def _unconvertible(
    errors: list, names: list[str], month: str, file_name: str, other_months: dict[str, int]
) -> list[tuple[str, str, int, str, str]]:
    """Quarantine entries for records with values that do not convert, every bad value named.

    Records whose 자료생성년월 is another month are also counted by that month in `other_months`.
    """
    by_name = {c.name: c for c in COLUMNS}
    reasons: dict[int, list[str]] = {}
    raws: dict[int, str] = {}
    for line, position, code, raw in errors:
        text = _text(raw)
        values = next(csv.reader(io.StringIO(text)), [])
        value = values[position].strip() if position < len(values) else ""
        column = by_name[names[position]]
        label = f"column {column.header} ({column.name}): "
        if code == WRONG_MONTH:
            detail = f"{value or 'empty'} is not the file's month {month}"
            other_months[value or "empty"] = other_months.get(value or "empty", 0) + 1
        elif code == EMPTY_NAME:
            detail = "empty"
        elif code == NOT_DATE:
            detail = f"not a YYYY-MM-DD date: {value}"
        elif code == NOT_INTEGER:
            detail = f"not an integer: {value}"
        else:
            detail = f"longer than {_max_length(column.pg_type)} characters: {value}"
        reasons.setdefault(line, []).append(label + detail)
        raws[line] = text
    return [(month, file_name, line, "; ".join(found), raws[line]) for line, found in reasons.items()]


# Columns that nearly tell workplaces apart. Rows equal in all 22 columns are equal in these, so
# hashing only these finds every candidate pair at a fraction of the cost of hashing whole rows.
_CANDIDATE_KEY = (
    "company_name",
    "business_reg_num",
    "zip_code",
    "subscriber_count",
    "monthly_notice_amount",
    "applied_at",
)


def _drop_exact_duplicates(frame: pl.DataFrame) -> pl.DataFrame:
    """Keep the first of rows equal in all 22 columns: hash a few columns, compare candidates exactly."""
    import polars as pl

    hashes = frame.select(_CANDIDATE_KEY).hash_rows()
    if hashes.n_unique() == frame.height:  # the common case: no two rows can be equal
        return frame
    candidates = frame.filter(hashes.is_duplicated())
    repeated = candidates.filter(~pl.struct(COLUMN_NAMES).is_first_distinct()).get_column("source_line")
    return frame.filter(~pl.col("source_line").is_in(repeated.implode()))


def quarantine_frame(rows: list[tuple]) -> pl.DataFrame:
    import polars as pl

    return pl.DataFrame(
        rows,
        schema={
            "data_month": pl.String,
            "file": pl.String,
            "line": pl.Int64,
            "reason": pl.String,
            "raw": pl.String,
        },
        orient="row",
    )
