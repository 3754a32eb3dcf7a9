"""Where crawl files live in the data directory, which are waiting, and where ingested ones go.

`$DAG_DATA_DIR/is/output/` receives one file per crawl (written atomically by the crawler). After a
file's ingest committed it is moved to `processed/<YYYY-MM-DD>/`, so the output folder only ever
holds files still to ingest (or files whose ingest failed, until they are fixed or rewritten): the
sensor lists that folder only and never opens a file (legacy defect A11-10). The stop markers of the
incremental crawls live in `state/`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from dag_shared.settings import data_dir


def is_dir(*parts: str) -> Path:
    path = data_dir().joinpath("is", *parts)
    path.mkdir(parents=True, exist_ok=True)
    return path


def output_dir() -> Path:
    return is_dir("output")


def processed_dir() -> Path:
    return is_dir("processed")


def state_dir() -> Path:
    return is_dir("state")


@dataclass(frozen=True)
class PendingFile:
    path: Path
    mtime_ns: int
    size: int

    @property
    def version(self) -> str:
        """Changes whenever the file is rewritten: name, modification time and size."""
        return f"{self.path.name}:{self.mtime_ns}:{self.size}"


def pending_files(folder: Path) -> list[PendingFile]:
    """The `*.json` files waiting in `folder`, by name (temporary `.…tmp` files are not listed)."""
    found = []
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.name.endswith(".json") and not entry.name.startswith(".") and entry.is_file():
                stat = entry.stat()
                found.append(PendingFile(Path(entry.path), stat.st_mtime_ns, stat.st_size))
    return sorted(found, key=lambda f: f.path.name)


def move_to_processed(path: Path, processed: Path) -> Path:
    """Move an ingested file out of the output folder (replacing an older copy of the same name)."""
    target_dir = processed / datetime.now(UTC).strftime("%Y-%m-%d")
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / path.name
    os.replace(path, target)
    return target


def find_processed(name: str, processed: Path) -> Path | None:
    """An already ingested copy of `name` (a retried run whose first attempt moved the file)."""
    matches = sorted(processed.glob(f"*/{name}"))
    return matches[-1] if matches else None
