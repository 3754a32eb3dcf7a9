"""Benchmark: NPS silver digest throughput and peak memory on a 600,000-row month, vs the legacy approach.

Run: uv run --project locations/nps python bench/bench_nps_digest.py [--rows 600000] [--repeat 3]

New: the file mapped into memory → one compiled pass (2 threads) that decodes CP949, splits,
trims and types every field into Arrow buffers → polars de-duplication → the month replaced in
the DuckDB table `nps_pension_silver` (one transaction, connection opened and closed as the asset
does, so the commit's checkpoint is counted). Legacy baseline, measured in the same run on the same file:
pandas read_csv(encoding="cp949", dtype=str) then to_csv(encoding="utf-8-sig"), untyped.
Each approach runs in its own subprocess so its peak RSS is its own. Targets: ≥ 5× the legacy
rate and ≥ 400,000 rows/s with typed output.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

NEW = r"""
import json, resource, sys, time, tempfile, os
from pathlib import Path
os.environ["DAG_DATA_DIR"] = tempfile.mkdtemp(prefix="nps-bench-")
from dag_nps.lib.digest import digest_file
from dag_nps.lib.silver import ensure_silver, replace_month
from dag_shared.resources.duckdb import duckdb_resource
path, month, warm, repeat = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3]), int(sys.argv[4])
digest_file(warm, "2022-03")  # warm-up: compiled kernel and lookup table loaded once per process
resource_ = duckdb_resource("nps")
times = []
for _ in range(repeat):
    start = time.perf_counter()
    digest = digest_file(path, month)
    with resource_.get_connection() as conn:
        ensure_silver(conn)
        replace_month(conn, month, digest, path.name, "-", "cp949")
    times.append(time.perf_counter() - start)
    rows = digest.frame.height
    del digest
print(json.dumps({"rows": rows, "seconds": min(times), "all": times,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

LEGACY = r"""
import json, resource, sys, time, tempfile
from pathlib import Path
import pandas as pd
path, warm, repeat = Path(sys.argv[1]), Path(sys.argv[3]), int(sys.argv[4])
out = Path(tempfile.mkdtemp()) / "out.csv"
pd.read_csv(warm, encoding="cp949", dtype=str, low_memory=False).to_csv(out, index=False, encoding="utf-8-sig")
times = []
for _ in range(repeat):
    start = time.perf_counter()
    frame = pd.read_csv(path, encoding="cp949", dtype=str, low_memory=False)
    frame.to_csv(out, index=False, encoding="utf-8-sig")
    times.append(time.perf_counter() - start)
    rows = len(frame)
    del frame
print(json.dumps({"rows": rows, "seconds": min(times), "all": times,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def run(code: str, *args: str) -> dict:
    output = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=True
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    from nps_generate import generate

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=600_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    (path,) = generate(["2022-04"], args.rows)
    (warm,) = generate(["2022-03"], 2_000)
    new = run(NEW, str(path), "2022-04", str(warm), str(args.repeat))
    legacy = run(LEGACY, str(path), "2022-04", str(warm), str(args.repeat))
    new_rate, legacy_rate = new["rows"] / new["seconds"], legacy["rows"] / legacy["seconds"]
    print(f"input: {path.name}, {args.rows:,} rows, {path.stat().st_size / 1e6:.1f} MB (CP949)")
    print(
        f"digest (typed, into the DuckDB silver table): {new['seconds']:.2f} s best of {args.repeat} = {new_rate:,.0f} rows/s, "
        f"peak RSS {new['peak_rss_mb']:.0f} MB (runs: {', '.join(f'{t:.2f}' for t in new['all'])} s)"
    )
    print(
        f"legacy baseline (pandas cp949 -> utf-8-sig, untyped): {legacy['seconds']:.2f} s = {legacy_rate:,.0f} rows/s, "
        f"peak RSS {legacy['peak_rss_mb']:.0f} MB"
    )
    new_median = statistics.median(new["all"])
    print(
        f"speed-up: {new_rate / legacy_rate:.1f}x best against best, {legacy['seconds'] / new_median:.1f}x on the "
        f"median digest ({new_median:.2f} s) (target >= 5x and >= 400,000 rows/s)"
    )


if __name__ == "__main__":
    main()
