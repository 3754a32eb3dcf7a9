"""Makes a CD benchmark run in the cd location's environment.

`make bench` starts every script with the host environment, which does not have dag_cd; the CD
benchmarks then re-run themselves with `uv run --project locations/cd`.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def ensure_cd_environment(script: str) -> None:
    try:
        import dag_cd  # noqa: F401
    except ImportError:
        root = Path(__file__).resolve().parents[1]
        uv = str(root / "scripts" / "uv.sh")
        os.execv(
            uv,
            [
                uv,
                "run",
                "--frozen",
                "--project",
                str(root / "locations" / "cd"),
                "python",
                str(Path(script).resolve()),
                *sys.argv[1:],
            ],
        )
