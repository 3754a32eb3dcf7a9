"""Fast, strict CP949 → UTF-8 transcoding of whole monthly files.

Python's CP949 codec decodes about 90 MB/s and the UTF-8 re-encode costs as much again, which
alone would cap the silver digest near 150,000 rows/s. This module compiles a one-pass byte
kernel (numba) over a lookup table built from Python's own CP949 codec, so the output is exactly
what `bytes.decode("cp949").encode("utf-8")` gives, at several hundred MB/s. An undecodable
byte raises with the file, line and byte offset. Heavy imports stay inside the functions.
"""

from __future__ import annotations

import functools
import io
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

CHUNK_BYTES = 16 * 1024 * 1024


class DecodeError(ValueError):
    """A byte sequence that is not CP949, located by file, line and byte offset."""


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


def _kernel():
    import os

    from dag_shared.settings import data_dir

    # numba caches compiled code next to the module; where the package is read-only (an
    # installed image) that fails, so the cache goes to the data directory unless set.
    os.environ.setdefault("NUMBA_CACHE_DIR", str(data_dir() / "numba_cache"))
    from dag_nps.nps_cp949_kernel import transcode

    return transcode


MAX_REJECTS = 100_000


@contextmanager
def _writer(target):
    import os

    if target is None or isinstance(target, (str, Path)):
        with open(target if target is not None else os.devnull, "wb") as handle:
            yield handle
    else:
        yield target


@dataclass
class TranscodeResult:
    source_bytes: int
    records: int  # data records written (header excluded)
    rejects: list[tuple[int, int, bytes]] = field(default_factory=list)  # (line, fields, raw bytes)
    needs_clean: list[bool] = field(default_factory=list)  # per field position: may need trimming


def transcode_file(
    source: Path, target: Path | BinaryIO | None, expected_fields: int, chunk_bytes: int = CHUNK_BYTES
) -> TranscodeResult:
    """Write `source` (CP949 CSV) as UTF-8 CSV to `target`, each record prefixed by its line.

    The first field of every record (the header included) becomes the physical line on which
    the record starts, so rows keep their source line through parsing, typing and quarantine.
    `target` is a path, a binary buffer (kept open) or None (validate only). Records with a field count other than `expected_fields` (a short last record of a truncated
    file included) are left out and returned as rejects. Only whole records are handed on
    between chunks, so the working memory stays bounded whatever the file size.
    """
    import numpy as np

    utf8, length = _table()
    kernel = _kernel()
    rejects = np.zeros((MAX_REJECTS, 4), dtype=np.int64)
    needs_clean = np.zeros(expected_fields, dtype=np.uint8)
    result = TranscodeResult(0, 0)
    line, used, offset = 1, 0, 0
    carry = b""
    with open(source, "rb") as reader, _writer(target) as writer:
        while True:
            block = reader.read(chunk_bytes)
            final = not block
            data = carry + block
            if not data:
                break
            src = np.frombuffer(data, dtype=np.uint8)
            out = np.empty(len(data) * 3 // 2 + 64 + 22 * data.count(b"\n"), dtype=np.uint8)
            before = used
            written, consumed, next_line, used, failed_at = kernel(
                src, out, utf8, length, expected_fields, line, final, rejects, used, needs_clean
            )
            if failed_at == -1:
                raise DecodeError(f"{source}: more than {MAX_REJECTS} records with a wrong field count")
            if failed_at:
                bad = failed_at - 1
                bad_line = line + data.count(b"\n", 0, bad)
                raise DecodeError(
                    f"{source}: line {bad_line}: byte offset {offset + bad}: "
                    f"bytes {data[bad:bad + 2].hex()} are not valid CP949"
                )
            for r in range(before, used):
                start, end = int(rejects[r, 2]), int(rejects[r, 3])
                result.rejects.append((int(rejects[r, 0]), int(rejects[r, 1]), data[start:end]))
            writer.write(memoryview(out)[:written])
            offset += consumed
            line = next_line
            carry = data[consumed:]
            if final:
                break
    result.source_bytes = offset
    result.records = max(line - 2, 0)  # refined by the caller from the parsed rows
    result.needs_clean = [bool(flag) for flag in needs_clean]
    return result


def transcode_bytes(source: Path, data: bytes, expected_fields: int, workers: int = 1) -> tuple[memoryview, TranscodeResult]:
    """Transcode a whole file held in memory into one UTF-8 buffer (see `transcode_parts`)."""
    import numpy as np

    parts, result = transcode_parts(source, data, expected_fields, workers)
    arrays = [np.frombuffer(part.getbuffer(), dtype=np.uint8) for part in parts]
    return memoryview(arrays[0] if len(arrays) == 1 else np.concatenate(arrays)), result


def transcode_parts(source: Path, data: bytes, expected_fields: int, workers: int = 1) -> tuple[list[io.BytesIO], TranscodeResult]:
    """Transcode a whole file held in memory, in `workers` threads (the kernel releases the GIL).

    The input is cut at line breaks into one slice per worker. A slice may only start a record
    if the slice before it ended exactly on a record boundary (a line break outside quotes);
    that is checked afterwards, and a slice that started inside a quoted field is redone from
    the previous slice's left-over bytes. Returns the UTF-8 parts in file order (the first
    holds the header; together they are the whole file's UTF-8 bytes) and the rejects. Each
    part is a BytesIO the kernel wrote into directly, so a CSV reader can take it without a copy.
    """
    from concurrent.futures import ThreadPoolExecutor

    import numpy as np

    utf8, length = _table()
    kernel = _kernel()
    cuts = [0]
    for k in range(1, workers):
        cut = data.find(b"\n", len(data) * k // workers) + 1
        if cut <= cuts[-1] or cut >= len(data):
            break
        cuts.append(cut)
    cuts.append(len(data))
    slices = [(cuts[i], cuts[i + 1]) for i in range(len(cuts) - 1)]
    first_lines = [1]
    for start, end in slices[:-1]:
        first_lines.append(first_lines[-1] + data.count(b"\n", start, end))
    src = np.frombuffer(data, dtype=np.uint8)

    def run(index: int, start: int, end: int, line: int):
        part = src[start:end]
        holder = io.BytesIO(bytes(len(part) * 3 // 2 + 64 + 22 * (data.count(b"\n", start, end) + 1)))
        view = holder.getbuffer()
        out = np.frombuffer(view, dtype=np.uint8)
        rejects = np.zeros((MAX_REJECTS, 4), dtype=np.int64)
        needs_clean = np.zeros(expected_fields, dtype=np.uint8)
        final = index == len(slices) - 1
        written, consumed, next_line, used, failed_at = kernel(
            part, out, utf8, length, expected_fields, line, final, rejects, 0, needs_clean
        )
        del out
        view.release()
        holder.truncate(written)
        return holder, written, start + consumed, next_line, rejects[:used].copy(), failed_at, start, needs_clean

    with ThreadPoolExecutor(max_workers=len(slices)) as pool:
        parts = list(pool.map(lambda args: run(*args), [(i, s, e, first_lines[i]) for i, (s, e) in enumerate(slices)]))
    for i in range(1, len(parts)):
        previous_end = parts[i - 1][2]
        if previous_end != slices[i][0]:
            # the cut fell inside a quoted field: redo from where the previous slice stopped
            parts[i] = run(i, previous_end, slices[i][1], parts[i - 1][3])
            if i + 1 < len(parts):
                parts[i + 1 :] = [run(j, slices[j][0], slices[j][1], first_lines[j]) for j in range(i + 1, len(parts))]
    result = TranscodeResult(len(data), 0)
    result.needs_clean = [False] * expected_fields
    chunks = []
    for out, written, _, _, rejects, failed_at, start, needs_clean in parts:
        result.needs_clean = [a or bool(b) for a, b in zip(result.needs_clean, needs_clean)]
        if failed_at == -1:
            raise DecodeError(f"{source}: more than {MAX_REJECTS} records with a wrong field count")
        if failed_at:
            bad = start + failed_at - 1
            bad_line = 1 + data.count(b"\n", 0, bad)
            raise DecodeError(
                f"{source}: line {bad_line}: byte offset {bad}: "
                f"bytes {data[bad:bad + 2].hex()} are not valid CP949"
            )
        for line, fields, begin, end in rejects.tolist():
            result.rejects.append((int(line), int(fields), data[start + begin : start + end]))
        chunks.append(out)
    return chunks, result
