"""Download step: every `clogo-<id>.png` of the source bucket into a local folder.

The listing is paginated (S3 `list_objects_v2`); the folder is emptied of PNGs first, so it holds
exactly this listing; each file is written atomically. A failed download raises, naming the key;
an object that is not a logo key is not downloaded and is returned as ignored, with the reason.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dag_shared.images.lib import keys


class DownloadError(RuntimeError):
    """An object could not be downloaded."""


@dataclass
class Downloaded:
    files: list[Path] = field(default_factory=list)
    ignored: dict[str, str] = field(default_factory=dict)  # key -> reason
    bytes: int = 0


def _write_atomic(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(tmp, path)


def clear(folder: Path, suffix: str) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    removed = 0
    for path in folder.glob(f"*{suffix}"):
        path.unlink()
        removed += 1
    return removed


def download_logos(store: Any, folder: Path) -> Downloaded:
    """Downloads every logo PNG of `store` (an object backend) into `folder`."""
    clear(folder, ".png")
    result = Downloaded()
    for key in store.list_keys(""):
        if not key.lower().endswith(".png"):
            continue
        try:
            company_id, _ = keys.parse_key(key)
        except keys.LogoKeyError as error:
            result.ignored[key] = str(error)
            continue
        try:
            data = store.get(key)
        except Exception as error:
            raise DownloadError(f"downloading {key!r} from {store.describe()} failed: {error}") from error
        if not data.startswith(b"\x89PNG\r\n\x1a\n"):
            result.ignored[key] = "not a PNG file (bad signature)"
            continue
        path = folder / keys.png_key(company_id)
        _write_atomic(path, data)
        result.files.append(path)
        result.bytes += len(data)
    result.files.sort()
    return result
