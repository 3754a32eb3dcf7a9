"""PNG → WebP at quality 80 with Pillow, converted in parallel across the machine's cores.

Each conversion writes a temp file and renames it, so a folder never holds a half-written WebP.
Failures are collected and raised together (`WebpError`, naming every file), never skipped.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

QUALITY = 80


class WebpError(RuntimeError):
    """One or more PNGs could not be converted."""

    def __init__(self, failures: dict[str, str]):
        self.failures = failures
        listed = "; ".join(f"{name}: {reason}" for name, reason in sorted(failures.items()))
        super().__init__(f"{len(failures)} PNG(s) could not be converted to WebP: {listed}")


def convert_one(png: Path, out_dir: Path) -> tuple[Path, int]:
    """Converts one PNG; returns the WebP path and its size in bytes."""
    from PIL import Image

    target = out_dir / (png.stem + ".webp")
    tmp = out_dir / f".tmp-{os.getpid()}-{png.stem}.webp"
    with Image.open(png) as image:
        image.load()
        converted = image if image.mode in ("RGB", "RGBA") else image.convert("RGBA")
        converted.save(tmp, format="WEBP", quality=QUALITY, method=4)
    os.replace(tmp, target)
    return target, target.stat().st_size


def _convert_safely(png: Path, out_dir: Path) -> tuple[Path, int] | str:
    try:
        return convert_one(png, out_dir)
    except Exception as error:  # noqa: BLE001 - reported per file by convert_all
        return f"{type(error).__name__}: {error}"


def workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


def convert_all(pngs: list[Path], out_dir: Path, processes: int | None = None) -> list[tuple[Path, int]]:
    """Converts every PNG into `out_dir` (emptied of WebP first) with one process per core."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob("*.webp"):
        old.unlink()
    processes = processes or workers()
    if processes == 1 or len(pngs) < 2:
        outcomes = [_convert_safely(p, out_dir) for p in pngs]
    else:
        chunk = max(1, len(pngs) // (processes * 4))
        # spawn, not fork: the caller (a Dagster run worker) has threads running.
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=processes, mp_context=context) as pool:
            outcomes = list(pool.map(_convert_safely, pngs, [out_dir] * len(pngs), chunksize=chunk))
    failures = {png.name: o for png, o in zip(pngs, outcomes) if isinstance(o, str)}
    if failures:
        raise WebpError(failures)
    return [o for o in outcomes if not isinstance(o, str)]
