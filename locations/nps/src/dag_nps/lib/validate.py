"""Validation of one downloaded or copied monthly file before it enters the bronze landing zone.

A file is valid when it is plausibly large, is not an HTML page, decodes completely as CP949,
carries the 22 expected columns (matched by normalised header prefix), ends with a complete
record and names its data month (자료생성년월) in the first row. Anything else is a reason to
quarantine it, stated in words an operator can act on.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass
from pathlib import Path

from dag_nps.lib.columns import COLUMNS, SOURCE_ENCODING, HeaderError, match_header

_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_PEEK_BYTES = 64 * 1024


@dataclass(frozen=True)
class FileCheck:
    ok: bool
    reason: str  # "valid" or why the file is quarantined
    data_month: str | None
    size_bytes: int
    sha256: str


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def peek_month(path: Path) -> str:
    """The data month of a file from its header and first row; raises ValueError with the reason."""
    with path.open("rb") as handle:
        head = handle.read(_PEEK_BYTES)
    if re.search(rb"<\s*(!doctype|html|head|body)", head[:2048], re.IGNORECASE):
        raise ValueError("an HTML page, not a CSV file")
    cut = head.rfind(b"\n")
    try:
        text = (head[: cut + 1] if cut >= 0 else head).decode(SOURCE_ENCODING)
    except UnicodeDecodeError as error:
        line = head[: error.start].count(b"\n") + 1
        column = error.start - (head.rfind(b"\n", 0, error.start) + 1) + 1
        raise ValueError(
            f"line {line}, column {column}: not CP949 ({error.reason} at byte {error.start})"
        ) from None
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        raise ValueError("no header line")
    try:
        names = match_header(rows[0])
    except HeaderError as error:
        raise ValueError(f"line 1: {error}") from None
    if len(rows) < 2:
        raise ValueError("no data row after the header")
    month = rows[1][names.index(COLUMNS[0].name)].strip() if len(rows[1]) == len(names) else ""
    if not _MONTH.match(month):
        raise ValueError(f"line 2: 자료생성년월 {month!r} is not a YYYY-MM month")
    return month


def check_file(path: Path, min_bytes: int) -> FileCheck:
    """Validate a whole file (size, HTML, header, CP949 throughout, complete last record)."""
    from dag_nps.lib.cp949 import DecodeError, scan_file

    size = path.stat().st_size
    sha = sha256_of(path)

    def invalid(reason: str) -> FileCheck:
        return FileCheck(False, reason, None, size, sha)

    if size < min_bytes:
        return invalid(f"file too small: {size} bytes, expected at least {min_bytes}")
    try:
        month = peek_month(path)
    except ValueError as error:
        return invalid(str(error))
    try:
        result = scan_file(path, fields=len(COLUMNS))
    except DecodeError as error:
        return invalid(f"not CP949: {error}")
    with path.open("rb") as handle:
        handle.seek(max(size - 1, 0))
        last_byte = handle.read(1)
    if last_byte != b"\n":
        last = result.rejects[-1][0] if result.rejects else "?"
        return invalid(f"truncated: the file does not end with a line break (last record at line {last})")
    return FileCheck(True, "valid", month, size, sha)
