"""Generate monthly NPS workplace files in the original format (CP949, CRLF, 22 columns) for benchmarks.

Run: uv run --project locations/nps python bench/nps_generate.py --rows 600000 --months 2022-04
Files go to bench/out/nps/ by default (ignored by git); generation is deterministic.
"""

from __future__ import annotations

import argparse
from pathlib import Path

OUT = Path(__file__).parent / "out" / "nps"


def generate(months: list[str], rows: int, folder: Path = OUT) -> list[Path]:
    """Write each month once (reused when the file already exists with the same row count)."""
    folder = folder / f"rows_{rows}"
    paths = []
    for month in months:
        existing = sorted(folder.glob("*.csv"))
        wanted = [p for p in existing if _month_of(p) == month]
        paths.append(wanted[0] if wanted else _write_whole(folder, month, rows))
    return paths


def _write_whole(folder: Path, month: str, rows: int) -> Path:
    """Write the month in a side folder and rename it in: an interrupted run leaves no partial file to reuse."""
    from dag_nps.lib.sample import write_month

    partial = write_month(folder / ".partial", month, rows)
    return partial.replace(folder / partial.name)


def _month_of(path: Path) -> str | None:
    from dag_nps.lib.validate import peek_month

    try:
        return peek_month(path)
    except ValueError:
        return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=600_000)
    parser.add_argument("--months", nargs="+", default=["2022-04"])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    for path in generate(args.months, args.rows, args.out):
        print(path, path.stat().st_size, "bytes")


if __name__ == "__main__":
    main()
