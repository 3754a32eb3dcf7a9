"""Benchmark: peak memory of the NPS pipeline over three generated months in one run.

Run: uv run --project locations/nps python bench/bench_nps_history_memory.py [--rows 600000] [--months 3]

One process materializes nps_his_download → nps_his_digest → nps_his_postgres_append for each
month (the local source pointing at the generated files), so the process's peak RSS is what a
history backfill worker needs. Target ≤ 1.5 GB. Baseline in the same run: the legacy approach
over the same months in one process (pandas read_csv(cp949) of each whole file, to_csv utf-8-sig).
Uses NPS_POSTGRES_URL when set, else an embedded PostgreSQL in a temporary folder.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

PIPELINE = r"""
import json, os, resource, sys, time
import dagster as dg
from dag_nps.defs.nps_his_digest import nps_his_digest
from dag_nps.defs.nps_his_download import nps_his_download
from dag_nps.defs.nps_his_postgres_append import nps_his_postgres_append
from dag_nps.defs.resources import nps_resources
months = sys.argv[1].split(",")
start = time.perf_counter()
for month in months:
    result = dg.materialize([nps_his_download, nps_his_digest, nps_his_postgres_append], partition_key=month,
                            resources=nps_resources())
    assert result.success, month
print(json.dumps({"seconds": time.perf_counter() - start,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

LEGACY = r"""
import json, resource, sys, tempfile
from pathlib import Path
import pandas as pd
out = Path(tempfile.mkdtemp()) / "out.csv"
for path in sys.argv[1:]:
    pd.read_csv(path, encoding="cp949", dtype=str, low_memory=False).to_csv(out, index=False, encoding="utf-8-sig")
print(json.dumps({"peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def main() -> None:
    from bench_nps_load import server_url
    from nps_generate import generate

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=600_000)
    parser.add_argument("--months", type=int, default=3)
    args = parser.parse_args()
    months = [f"2022-{m:02d}" for m in range(4, 4 + args.months)]
    paths = generate(months, args.rows)
    source = Path(tempfile.mkdtemp(prefix="nps-bench-src-"))
    for path in paths:
        (source / path.name).symlink_to(path)
    stack: list = []
    try:
        env = {
            **os.environ,
            "NPS_SOURCE_DIR": str(source),
            "NPS_POSTGRES_URL": server_url(stack),
            "DAG_DATA_DIR": tempfile.mkdtemp(prefix="nps-bench-"),
            "DAGSTER_HOME": tempfile.mkdtemp(),
        }
        ours = json.loads(
            subprocess.run(
                [sys.executable, "-c", PIPELINE, ",".join(months)],
                env=env,
                capture_output=True,
                text=True,
                check=True,
            )
            .stdout.strip()
            .splitlines()[-1]
        )
    finally:
        for server in stack:
            server.stop()
    legacy = json.loads(
        subprocess.run(
            [sys.executable, "-c", LEGACY, *map(str, paths)], capture_output=True, text=True, check=True
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    print(
        f"{len(months)} months x {args.rows:,} rows ({', '.join(months)}), download + digest + Postgres load"
    )
    print(f"pipeline peak RSS: {ours['peak_rss_mb']:.0f} MB in {ours['seconds']:.1f} s (target <= 1536 MB)")
    print(f"baseline legacy pandas re-encode of the same files, peak RSS: {legacy['peak_rss_mb']:.0f} MB")


if __name__ == "__main__":
    main()
