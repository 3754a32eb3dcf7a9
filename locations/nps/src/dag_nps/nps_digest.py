"""Silver digest of one monthly file: decode, map, type, trim, de-duplicate, quarantine.

`digest_file` turns a bronze CP949 file into a typed polars frame of the month plus a list of
quarantined records (file, line, reason). It holds one month at a time, never the history,
and does no I/O besides reading the file and one temporary UTF-8 copy.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from dag_nps.nps_columns import COLUMNS, HeaderError, match_header

if TYPE_CHECKING:
    import polars as pl

NO_DATE = "0001-01-01"
QUARANTINE_COLUMNS = ("data_month", "file", "line", "reason", "raw")
PARSE_WORKERS = 2  # CP949 kernel threads (the kernel releases the GIL); one parsed part each


@dataclass
class Digest:
    frame: pl.DataFrame  # typed rows of the month, `source_line` first
    header: list[str]
    rows_read: int
    duplicates_removed: int
    quarantine: list[tuple[str, str, int, str, str]] = field(default_factory=list)


def _pl_type(kind: str):
    import polars as pl

    return {"month": pl.Date, "date": pl.Date, "int": pl.Int32, "bigint": pl.Int64}.get(kind, pl.String)


def silver_schema() -> dict[str, object]:
    """Column → polars type of the silver table (source_line, then the 22 columns)."""
    import polars as pl

    return {"source_line": pl.Int64, **{c.name: _pl_type(c.kind) for c in COLUMNS}}


def _max_length(pg_type: str) -> int | None:
    return int(pg_type.split("(")[1].split(")")[0]) if "VARCHAR(" in pg_type else None


def read_header(utf8_csv: io.BytesIO) -> list[str]:
    """The header fields of a transcoded file (its first record), without the line field."""
    head = utf8_csv.getbuffer()[:65536].tobytes().decode("utf-8", "replace")
    first = next(csv.reader(io.StringIO(head)), [])
    return first[1:]  # the first field is the line number the transcoder added


def digest_file(source: Path, month: str) -> Digest:
    """Digest one bronze file whose rows must all belong to data month `month` (YYYY-MM)."""
    from dag_nps.nps_cp949 import transcode_parts

    parts, result = transcode_parts(source, source.read_bytes(), expected_fields=len(COLUMNS), workers=PARSE_WORKERS)
    if result.rejects and result.rejects[0][0] == 1:
        _, fields, raw_header = result.rejects[0]
        raise HeaderError(
            f"{source}: line 1: the header has {fields} fields, expected {len(COLUMNS)}: "
            f"{raw_header.decode('cp949', 'replace').strip()[:300]}"
        )
    buffers = [part for part in parts if part.getbuffer().nbytes]  # UTF-8 parts, no copy
    del parts
    header = read_header(buffers[0])
    try:
        names = match_header(header)
    except HeaderError as error:
        raise HeaderError(f"{source}: line 1: {error}") from None
    raw = _parse(buffers, names)
    del buffers
    quarantine = [
        (month, source.name, line, f"expected {len(COLUMNS)} fields, found {fields}", raw_bytes.decode("cp949", "replace").rstrip("\r\n"))
        for line, fields, raw_bytes in result.rejects
    ]
    needs_clean = {name for name, flag in zip(names, result.needs_clean) if flag}
    typed, bad = _typed(raw, month, needs_clean)
    rows_parsed = raw.height
    del raw  # only the typed rows and the rejected ones are needed from here on
    for row in bad.iter_rows():
        quarantine.append((month, source.name, int(row[0]), row[-1], ",".join("" if v is None else v for v in row[1:-1])))
    deduplicated = _drop_exact_duplicates(typed)
    quarantine.sort(key=lambda item: item[2])
    return Digest(
        frame=deduplicated,
        header=header,
        rows_read=rows_parsed + len(result.rejects),
        duplicates_removed=typed.height - deduplicated.height,
        quarantine=quarantine,
    )


def _parse(buffers: list[io.BytesIO], names: list[str]) -> pl.DataFrame:
    """All columns as text (source_line as an integer) from UTF-8 parts; only the first has the header."""
    import polars as pl

    frames = [
        pl.read_csv(
            buffer,
            has_header=index == 0,
            new_columns=["source_line", *names],
            schema_overrides={"source_line": pl.Int64},
            infer_schema=False,
            quote_char='"',
            empty_string_is_null=True,  # an empty field is null; no other token is
        )
        for index, buffer in enumerate(buffers)
    ]
    return frames[0] if len(frames) == 1 else pl.concat(frames, rechunk=False)


def _typed(raw: pl.DataFrame, month: str, needs_clean: set[str] | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(typed usable rows, raw rejected rows with a `reason` column), in one lazy plan.

    Values are trimmed, empty strings become null (only empty fields are null: no NA tokens),
    0001-01-01 dates become null; a value that does not convert marks the row as rejected.
    Columns the transcoder saw no edge whitespace or quoted empty string in (`needs_clean`
    lists the others; None = all) skip the trim: their empty fields are already null.
    """
    import polars as pl

    values, typed, flags, reasons = [], [], [], []
    for column in COLUMNS:
        name = column.name
        if needs_clean is None or name in needs_clean:
            text = pl.col(name).str.strip_chars()
            null_when = (text == "") | (text == NO_DATE) if column.kind == "date" else text == ""
            values.append(pl.when(null_when).then(None).otherwise(text).alias(name))
        elif column.kind == "date":
            values.append(pl.when(pl.col(name) == NO_DATE).then(None).otherwise(pl.col(name)).alias(name))
        else:
            values.append(pl.col(name))
        value = pl.col(name)
        label = pl.lit(f"column {column.header} ({name}): ")
        failed = reason = None
        if column.kind == "month":
            converted = value.str.to_date("%Y-%m", strict=False)
            failed = value.is_null() | (value != month)
            reason = label + pl.coalesce(value, pl.lit("empty")) + pl.lit(f" is not the file's month {month}")
        elif column.kind == "date":
            converted = value.str.to_date("%Y-%m-%d", strict=False)
            failed = value.is_not_null() & pl.col(f"__t_{name}").is_null()
            reason = label + pl.lit("not a YYYY-MM-DD date: ") + value
        elif column.kind in ("int", "bigint"):
            converted = value.cast(_pl_type(column.kind), strict=False)
            failed = value.is_not_null() & pl.col(f"__t_{name}").is_null()
            reason = label + pl.lit("not an integer: ") + value
        else:
            converted = value
            limit = _max_length(column.pg_type)
            if column.kind == "name":
                failed = value.is_null()
                reason = label + pl.lit("empty")
            elif limit:
                failed = value.str.len_chars() > limit
                reason = label + pl.lit(f"longer than {limit} characters: ") + value
        typed.append(converted.alias(f"__t_{name}"))
        if failed is not None:
            flags.append(failed.fill_null(False))
            reasons.append(pl.when(failed.fill_null(False)).then(reason))
    stage = (
        raw.lazy()
        .select(pl.col("source_line"), *values)
        .with_columns(typed)
        .with_columns(pl.any_horizontal(flags).alias("__bad"))
        .collect()
    )
    typed_columns = [pl.col("source_line"), *[pl.col(f"__t_{c.name}").alias(c.name) for c in COLUMNS]]
    if not stage.get_column("__bad").any():  # the common case: no filtering copy at all
        return stage.select(typed_columns), raw.head(0).with_columns(pl.lit(None, dtype=pl.String).alias("reason"))
    good = stage.filter(~pl.col("__bad")).select(typed_columns)
    bad_stage = stage.filter(pl.col("__bad"))
    if bad_stage.height:
        detail = bad_stage.select("source_line", pl.concat_str(reasons, separator="; ", ignore_nulls=True).alias("reason"))
        bad = raw.join(detail, on="source_line", how="inner").sort("source_line")
    else:
        bad = raw.head(0).with_columns(pl.lit(None, dtype=pl.String).alias("reason"))
    return good, bad


def _drop_exact_duplicates(frame: pl.DataFrame) -> pl.DataFrame:
    """Keep the first of rows equal in all 22 columns: hash first, compare exactly on collisions."""
    import polars as pl

    columns = [c.name for c in COLUMNS]
    hashes = frame.select(columns).hash_rows()
    if hashes.n_unique() == frame.height:  # the common case: no two rows share a hash
        return frame
    suspects = frame.filter(hashes.is_duplicated())
    repeated = suspects.filter(~pl.struct(columns).is_first_distinct()).get_column("source_line")
    return frame.filter(~pl.col("source_line").is_in(repeated.implode()))


def quarantine_frame(rows: list[tuple]) -> pl.DataFrame:
    import polars as pl

    return pl.DataFrame(
        rows,
        schema={"data_month": pl.String, "file": pl.String, "line": pl.Int64, "reason": pl.String, "raw": pl.String},
        orient="row",
    )
