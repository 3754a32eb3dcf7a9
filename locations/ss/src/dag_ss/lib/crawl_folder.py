"""The crawl-file folder as the sensor sees it: which files are new or rewritten since the cursor.

The cursor maps each file's partition key (its stem) to `[mtime_ns, size, sha256]`. A file whose
mtime and size are unchanged is not hashed again; a changed one is hashed, and it is reported
only when its content differs, so touching a file does not re-run it.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

PARTITION_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,199}$")


@dataclass(frozen=True)
class FolderChange:
    key: str
    path: Path
    sha256: str
    is_new: bool


def load_cursor(text: str | None) -> dict[str, list]:
    if not text:
        return {}
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}


def scan(folder: Path, cursor: dict[str, list]) -> tuple[list[FolderChange], dict[str, list], list[str]]:
    """(changes in name order, the new cursor, names skipped because they cannot be partition keys)."""
    changes, state, skipped = [], {}, []
    if not folder.is_dir():
        return changes, state, skipped
    for path in sorted(folder.glob("*.json")):
        if not path.is_file():
            continue
        key = path.stem
        if not PARTITION_KEY.match(key):
            skipped.append(path.name)
            continue
        stat = path.stat()
        previous = cursor.get(key)
        if previous and previous[0] == stat.st_mtime_ns and previous[1] == stat.st_size:
            state[key] = previous
            continue
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        state[key] = [stat.st_mtime_ns, stat.st_size, digest]
        if not previous or previous[2] != digest:
            changes.append(FolderChange(key, path, digest, is_new=not previous))
    return changes, state, skipped
