"""Crawl files on disk: named `<site>_<board>_<YYYY-MM-DD>_<HH-MM-SS>_<mode>.json`, written atomically.

A file is written to a temporary name in the same folder, flushed to disk and renamed into place,
so a reader (the ingest sensor) never sees half a file. The name carries site, board and mode, so
the sensor tags runs without opening files.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

FILE_NAME = re.compile(
    r"^(?P<site>[a-z0-9]+)_(?P<board>[a-z0-9]+)_(?P<date>\d{4}-\d{2}-\d{2})_(?P<time>\d{2}-\d{2}-\d{2})"
    r"_(?P<mode>incremental|interval-[0-9]+[mh])(?:_(?P<suffix>[0-9a-f]+))?\.json$"
)


@dataclass(frozen=True)
class CrawlFileName:
    site: str
    board: str
    mode: str

    @property
    def range(self) -> str | None:
        return self.mode.removeprefix("interval-") if self.mode.startswith("interval-") else None


def parse_file_name(name: str) -> CrawlFileName | None:
    match = FILE_NAME.match(name)
    return CrawlFileName(match["site"], match["board"], match["mode"]) if match else None


def file_name(site: str, board: str, mode_label: str, crawled_at: datetime) -> str:
    stamp = crawled_at.astimezone(UTC).strftime("%Y-%m-%d_%H-%M-%S")
    return f"{site}_{board}_{stamp}_{mode_label}.json"


def atomic_write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_crawl_file(folder: Path, name: str, document: list[dict[str, Any]]) -> Path:
    """Write a crawl document as `folder/name` (never over an existing file); returns the path."""
    path = folder / name
    if path.exists():
        stem = path.stem
        path = folder / f"{stem}_{os.urandom(3).hex()}.json"
    atomic_write_text(path, json.dumps(document, ensure_ascii=False, indent=2))
    return path
