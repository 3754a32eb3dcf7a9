"""A generated NPS history loaded through the local stack as ONE backfill of `nps_history_job`.

Run: `uv run python bench/bench_stack_nps_backfill.py [--months 113] [--rows 530000]` (host
environment). `df -h /` first: the full size needs about 15 GB of generated files (bench/out/nps/,
git-ignored, reused when they exist with the same row count), the same again landed in the stack's
data directory, the silver DuckDB file and `pension` in the stack's embedded PostgreSQL.

It generates the months (bench/nps_generate.py, from 2015-01 on), starts the stack (`make dev`'s
launcher) on a fresh data directory with NPS_SOURCE_DIR pointing at them, launches one backfill over
all the months through GraphQL `launchPartitionBackfill` (the partition set of `nps_history_job`),
waits for it, then for the SaaS rebuild that `nps_history_saas_sensor` requests once after it.
psutil samples the resident memory of every stack process (launcher, webserver, daemon, code
servers, run workers, embedded PostgreSQL) twice a second.

Figure: wall seconds from launching the backfill to its run's end; rows in `pension` (counted in
PostgreSQL, against the rows the digest kept); the runs the backfill made (target: one); peak RSS
of each process. Target ≤ 8 min on 2 cores and ≤ 1.5 GB RSS for every process.
Baseline, in the same invocation: the same chain (download, integrity, digest, append, indexes)
materialized in process one month per run, as the schedule and a per-month backfill do, for
`--baseline-months` months; its seconds per row times the history's rows is printed as the summed
per-month figure (an extrapolation, labelled as such).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).parent))
from nps_generate import OUT

from dag_platform.graphql import DagsterGraphQL
from dag_platform_testing.stack_harness import RunningStack, embedded_postgres_env

ROOT = Path(__file__).resolve().parents[1]
NPS_PYTHON = ROOT / "locations" / "nps" / ".venv" / "bin" / "python"
BYTES_PER_ROW = 190  # a generated CP949 row, measured: 100 MB for 530,000 rows

LAUNCH_BACKFILL = """
mutation Backfill($params: LaunchBackfillParams!) { launchPartitionBackfill(backfillParams: $params) {
  __typename ... on LaunchBackfillSuccess { backfillId } ... on PythonError { message }
  ... on PartitionSetNotFoundError { message } ... on InvalidSubsetError { message } } }
"""
BACKFILL_STATUS = """
query Backfill($id: String!) { partitionBackfillOrError(backfillId: $id) {
  ... on PartitionBackfill { status } ... on PythonError { message } } }
"""
RUNS_TAGGED = """
query Runs($key: String!, $value: String!) { runsOrError(filter: {tags: [{key: $key, value: $value}]}) {
  ... on Runs { results { runId status startTime endTime tags { key value } } } } }
"""
BACKFILL_DONE = {"COMPLETED", "COMPLETED_SUCCESS", "COMPLETED_FAILED", "FAILED", "CANCELED"}

# One month per in-process run, as the schedule runs it; prints seconds and peak RSS as JSON.
PER_MONTH = r"""
import json, resource, sys, time
import dagster as dg
from dag_nps.defs.nps_file_integrity_check import nps_file_integrity_check
from dag_nps.defs.nps_his_digest import nps_his_digest
from dag_nps.defs.nps_his_download import nps_his_download
from dag_nps.defs.nps_his_postgres_append import nps_his_postgres_append
from dag_nps.defs.nps_pension_staging_indexes import nps_pension_staging_indexes
from dag_nps.defs.resources import nps_resources
chain = [nps_his_download, nps_file_integrity_check, nps_his_digest, nps_his_postgres_append,
         nps_pension_staging_indexes]
seconds = []
for month in sys.argv[1].split(","):
    start = time.perf_counter()
    assert dg.materialize(chain, partition_key=month, resources=nps_resources()).success, month
    seconds.append(time.perf_counter() - start)
print(json.dumps({"seconds": seconds, "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def month_keys(count: int, first: str = "2015-01") -> list[str]:
    year, month = int(first[:4]), int(first[5:7])
    keys = []
    for offset in range(count):
        index = month - 1 + offset
        keys.append(f"{year + index // 12}-{index % 12 + 1:02d}")
    return keys


def generated_months(months: list[str], rows: int) -> Path:
    """The months written by bench/nps_generate.py (the nps environment has the generator's code)."""
    subprocess.run(
        [str(NPS_PYTHON), "-W", "ignore", str(ROOT / "bench" / "nps_generate.py"), "--rows", str(rows),
         "--months", *months],
        check=True,
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    return OUT / f"rows_{rows}"


def check_disk(months: int, rows: int) -> None:
    free = shutil.disk_usage("/").free
    generated = sum(p.stat().st_size for p in (OUT / f"rows_{rows}").glob("*.csv")) if OUT.exists() else 0
    # generated files, their landed copies, silver and pension: about four times the source
    needed = months * rows * BYTES_PER_ROW * 4 - generated
    print(f"disk: {free / 1e9:.1f} GB free on /, about {max(needed, 0) / 1e9:.1f} GB needed")
    if needed > free * 0.9:
        raise SystemExit("not enough free disk for this size; use --months/--rows for a smaller run")


class RssSampler(threading.Thread):
    """Peak RSS per stack process (by pid, with its role), sampled every `interval` seconds."""

    def __init__(self, stack: RunningStack, interval: float = 0.5):
        super().__init__(daemon=True)
        self.stack, self.interval = stack, interval
        self.peaks: dict[int, tuple[int, str]] = {}
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            try:
                processes = self.stack.processes()
            except psutil.Error:
                processes = []
            for process in processes:
                try:
                    rss = process.memory_info().rss
                    role = role_of(process)
                except psutil.Error:
                    continue
                if rss > self.peaks.get(process.pid, (0, ""))[0]:
                    self.peaks[process.pid] = (rss, role)
            self.stopped.wait(self.interval)


def role_of(process: psutil.Process) -> str:
    command = process.cmdline()
    text = " ".join(command)
    if "postgres" in process.name():
        return "postgres " + (command[0].split(":")[-1].strip() if command else "")[:30]
    for marker in (
        "api execute_run",
        "api grpc",
        "code-server",
        "dagster-webserver",
        "dagster-daemon",
        "daemon",
    ):
        if marker in text:
            location = next((c for c in command if c.startswith("dag_")), "")
            return f"{marker} {location}".strip()
    return text[-60:]


def baseline(months: list[str], source: Path) -> dict:
    """Seconds and peak RSS of the chain run in process one month per run (fresh data dir and database)."""
    from dag_shared.embedded_postgres import EmbeddedPostgres, ensure_database, free_port

    with tempfile.TemporaryDirectory(prefix="nps-backfill-baseline-") as tmp:
        server = EmbeddedPostgres(Path(tmp) / "postgres", free_port())
        url = ensure_database(server.start(), "nps_baseline")
        try:
            environment = {
                **os.environ,
                "DAG_DATA_DIR": tmp,
                "NPS_POSTGRES_URL": url,
                "NPS_SOURCE_DIR": str(source),
                "NPS_PORTAL_BASE_URL": "",
            }
            output = subprocess.run(
                [str(NPS_PYTHON), "-W", "ignore", "-c", PER_MONTH, ",".join(months)],
                env=environment,
                capture_output=True,
                text=True,
                check=True,
            ).stdout
        finally:
            server.stop()
    return json.loads(output.strip().splitlines()[-1])


def launch_backfill(client: DagsterGraphQL, months: list[str]) -> str:
    params = {
        "selector": {
            "partitionSetName": "nps_history_job_partition_set",
            "repositorySelector": {"repositoryLocationName": "nps", "repositoryName": "__repository__"},
        },
        "partitionNames": months,
        "title": f"NPS history {months[0]}..{months[-1]}",
    }
    result = client.query(LAUNCH_BACKFILL, {"params": params})["launchPartitionBackfill"]
    if result["__typename"] != "LaunchBackfillSuccess":
        raise RuntimeError(f"launching the backfill failed: {result}")
    return result["backfillId"]


STEP_STATS = """
query Steps($id: ID!) { runOrError(runId: $id) { ... on Run {
  stepStats { stepKey status startTime endTime } } } }
"""


def step_seconds(client: DagsterGraphQL, run_id: str) -> list[tuple[str, str, float]]:
    """(step, status, wall seconds) of each step of the run, in the order they started."""
    stats = client.query(STEP_STATS, {"id": run_id})["runOrError"].get("stepStats") or []
    stats = sorted((s for s in stats if s["startTime"]), key=lambda s: s["startTime"])
    return [(s["stepKey"], s["status"], (s["endTime"] or s["startTime"]) - s["startTime"]) for s in stats]


def runs_tagged(client: DagsterGraphQL, key: str, value: str) -> list[dict]:
    return client.query(RUNS_TAGGED, {"key": key, "value": value})["runsOrError"]["results"]


def wait_for_backfill(client: DagsterGraphQL, backfill_id: str, timeout: float) -> list[dict]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = client.query(BACKFILL_STATUS, {"id": backfill_id})["partitionBackfillOrError"].get("status")
        runs = runs_tagged(client, "dagster/backfill", backfill_id)
        if status in BACKFILL_DONE and all(r["status"] in ("SUCCESS", "FAILURE", "CANCELED") for r in runs):
            return runs
        time.sleep(1)
    raise TimeoutError(f"backfill {backfill_id} not done after {timeout:.0f} s")


def wait_for_tagged_run(client: DagsterGraphQL, key: str, value: str, timeout: float) -> dict | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = runs_tagged(client, key, value)
        if found:
            try:
                return client.wait_for_run(found[0]["runId"], timeout=max(deadline - time.monotonic(), 1))
            except TimeoutError:
                return None
        time.sleep(1)
    return None


def pension_counts(url: str) -> tuple[int, int]:
    import psycopg

    with psycopg.connect(url) as conn:
        return conn.execute("SELECT count(*), count(DISTINCT data_created_ym) FROM public.pension").fetchone()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--months", type=int, default=113)
    parser.add_argument("--rows", type=int, default=530_000, help="rows per generated month")
    parser.add_argument("--baseline-months", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=7200, help="seconds to wait for the backfill")
    parser.add_argument(
        "--saas-timeout", type=float, default=900, help="seconds to wait for the SaaS rebuild after it"
    )
    args = parser.parse_args()

    months = month_keys(args.months)
    check_disk(args.months, args.rows)
    started = time.monotonic()
    source = generated_months(months, args.rows)
    print(
        f"{len(months)} monthly files of {args.rows:,} rows in {source} ({time.monotonic() - started:.0f} s)"
    )

    measured = baseline(months[: args.baseline_months], source)
    per_row = sum(measured["seconds"]) / (args.rows * args.baseline_months)

    with tempfile.TemporaryDirectory(prefix="dag-bench-nps-backfill-") as tmp:
        data_dir = Path(tmp) / "data"
        data_dir.mkdir()
        stack = RunningStack(
            root=ROOT, data_dir=data_dir, extra_env={**embedded_postgres_env(), "NPS_SOURCE_DIR": str(source)}
        )
        stack.start()
        sampler = RssSampler(stack)
        try:
            stack.wait_until_loaded(timeout=300)
            sampler.start()
            client = stack.graphql
            load_before = os.getloadavg()
            launched = time.monotonic()
            backfill_id = launch_backfill(client, months)
            runs = wait_for_backfill(client, backfill_id, args.timeout)
            wall = time.monotonic() - launched
            load_during = os.getloadavg()
            steps = step_seconds(client, runs[0]["runId"]) if len(runs) == 1 else []
            saas = None
            if len(runs) == 1 and runs[0]["status"] == "SUCCESS":
                saas_started = time.monotonic()
                saas = wait_for_tagged_run(client, "nps/after_range_run", runs[0]["runId"], args.saas_timeout)
                saas_wall = time.monotonic() - saas_started
            rows, loaded_months = pension_counts(stack.embedded_database_url("nps"))
            client.close()
        finally:
            sampler.stopped.set()
            stack.stop()
        output_tail = stack.output()[-2000:]

    generated = args.rows * args.months
    print(f"\nNPS history as one backfill on the local stack: {args.months} months x {args.rows:,} rows")
    print(f"  load average at launch / at the end: {load_before[0]:.2f} / {load_during[0]:.2f} (2 cores)")
    print(f"  runs the backfill made: {len(runs)} ({', '.join(r['status'] for r in runs)})")
    print(f"  wall, launch to the run's end: {wall:8.1f} s   target <= 480 s")
    print(f"  rows in pension (PostgreSQL):  {rows:,} over {loaded_months} months (generated {generated:,})")
    for step, status, seconds in steps:
        print(f"    step {step:<40} {status:<8} {seconds:8.1f} s")
    if saas is not None:
        print(
            f"  SaaS rebuild requested once after it: {saas['status']}, {saas_wall:.1f} s after the backfill"
        )
    else:
        print(f"  SaaS rebuild: not requested, or not finished within {args.saas_timeout:.0f} s")
    print(
        f"  baseline, in process one month per run ({args.baseline_months} months measured): "
        f"{per_row * 1e6:.1f} s per million rows, peak RSS {measured['peak_rss_mb']:.0f} MB"
    )
    print(
        f"  baseline extrapolated to {generated:,} rows (per-month figures summed): {per_row * generated:8.1f} s"
    )
    print("  peak RSS per stack process (MB):")
    for pid, (rss, role) in sorted(sampler.peaks.items(), key=lambda item: -item[1][0])[:15]:
        print(f"    {rss / 2**20:8.0f}  {role} (pid {pid})")
    worst = max((rss for rss, _ in sampler.peaks.values()), default=0)
    print(f"  peak RSS of any process: {worst / 2**20:.0f} MB   target <= 1536 MB")
    if len(runs) != 1 or runs[0]["status"] != "SUCCESS":
        print(output_tail)
        raise SystemExit("the backfill did not end in one successful run")


if __name__ == "__main__":
    main()
