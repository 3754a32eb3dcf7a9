"""Definition load time of each location, minus a bare `import dagster`, each in its own environment.

Run: `uv run python bench/bench_definition_load.py [--repeat 7]`. Each figure is the median of
fresh interpreter starts; the baseline (`import dagster` alone) is measured in the same run.
Target: at most 0.3 s per location beyond the baseline.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import time
from pathlib import Path

from dag_shared.locations import LOCATIONS
from dag_shared.locations import location as registered

ROOT = Path(__file__).resolve().parents[1]
TARGET_SECONDS = 0.3


def median_seconds(python: Path, code: str, repeat: int, cwd: Path) -> float:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run([str(python), "-c", code], check=True, cwd=cwd)
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    print(
        f"{'location':<9} {'import dagster':>15} {'load defs':>10} {'difference':>11}  target ≤ {TARGET_SECONDS}s"
    )
    for location in LOCATIONS:
        project = ROOT / "locations" / location
        python = project / ".venv" / "bin" / "python"
        baseline = median_seconds(python, "import dagster", args.repeat, project)
        load = median_seconds(
            python,
            f"import dagster; from {registered(location).definitions_module} import defs; defs.get_repository_def()",
            args.repeat,
            project,
        )
        verdict = "ok" if load - baseline <= TARGET_SECONDS else "OVER TARGET"
        print(f"{location:<9} {baseline:>14.3f}s {load:>9.3f}s {load - baseline:>+10.3f}s  {verdict}")


if __name__ == "__main__":
    main()
