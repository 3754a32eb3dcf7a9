"""A full disk under the NPS data directory, in the nps environment: a small tmpfs is mounted as
DAG_DATA_DIR (bronze files, the DuckDB silver file, the ledger), 2022-03 is loaded, then the disk is
filled to a few hundred kilobytes while 2022-04 is downloaded, and again while it is digested.

Each time the step fails with an error naming the file it could not write, nothing half-written
stays (no partial file in the landing zone, no 2022-04 row in silver, 2022-03 unchanged), and the
same step succeeds once the space is back. Mounting needs root: elsewhere the module is skipped,
saying so.

Run: cd locations/nps && ../../scripts/uv.sh run --frozen pytest -s ../../tests_faults/disk/test_disk_full.py
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import dagster as dg
import pytest
from dag_nps.lib.sample import SAMPLE_DIR
from dag_shared.embedded_postgres import drop_database, ensure_database

TMPFS_BYTES = 48 * 1024 * 1024
QUIET = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}


@pytest.fixture(scope="module")
def tmpfs(tmp_path_factory):
    mount_point = tmp_path_factory.mktemp("nps-disk") / "data"
    mount_point.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root: the disk-full cases are not run")
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={TMPFS_BYTES}", "tmpfs", str(mount_point)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"no tmpfs could be mounted ({mounted.stderr.strip()}): the disk-full cases are not run")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


@pytest.fixture(scope="module")
def nps(tmpfs, tmp_path_factory, postgres_server_url):
    """2022-03 loaded with the data directory on the tmpfs; the sample months as the source."""
    from dag_nps.defs.resources import NpsSourceResource, nps_resources

    source = tmp_path_factory.mktemp("nps-source")
    for path in SAMPLE_DIR.glob("*.csv"):
        shutil.copy(path, source / path.name)
    database = f"dag_faults_disk_{os.getpid()}"
    url = ensure_database(postgres_server_url, database)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DAG_DATA_DIR", str(tmpfs))
        patch.setenv("NPS_POSTGRES_URL", url)
        patch.setenv("NPS_SOURCE_DIR", str(source))
        patch.delenv("NPS_PORTAL_BASE_URL", raising=False)
        resources = nps_resources()
        resources["nps_source"] = NpsSourceResource(source_dir=str(source), min_file_bytes=1)
        result = _run("2022-03", resources, "nps_his_download", "nps_his_digest", "nps_his_postgres_append")
        assert result.success
        yield {"resources": resources, "data": tmpfs}
    drop_database(postgres_server_url, database)


def _run(month: str, resources: dict, *names: str) -> dg.ExecuteInProcessResult:
    from dag_nps.defs.nps_his_digest import nps_his_digest
    from dag_nps.defs.nps_his_download import nps_his_download
    from dag_nps.defs.nps_his_postgres_append import nps_his_postgres_append

    chosen = [
        a for a in (nps_his_download, nps_his_digest, nps_his_postgres_append) if a.key.path[-1] in names
    ]
    return dg.materialize(
        chosen, partition_key=month, resources=resources, run_config=QUIET, raise_on_error=False
    )


class Filler:
    """Fill the file system up to `leave` free bytes; `release()` gives the space back."""

    def __init__(self, folder: Path, leave: int):
        self.path = folder / "filler.bin"
        free = shutil.disk_usage(folder).free
        with self.path.open("wb") as handle:
            remaining = max(free - leave, 0)
            block = b"\0" * (1 << 20)
            while remaining > 0:
                handle.write(block[: min(len(block), remaining)])
                remaining -= min(len(block), remaining)
        self.free = shutil.disk_usage(folder).free

    def release(self) -> None:
        self.path.unlink(missing_ok=True)


def _silver(data: Path) -> list[tuple]:
    import duckdb

    with duckdb.connect(str(data / "duckdb" / "nps.duckdb"), read_only=True) as conn:
        return conn.execute(
            "SELECT data_created_ym, count(*), sum(subscriber_count) FROM nps_pension_silver GROUP BY 1 ORDER BY 1"
        ).fetchall()


def _partials(data: Path) -> list[Path]:
    return [p for p in (data / "nps" / "bronze").rglob("*") if p.is_file() and p.suffix == ".part"]


def _failure(result: dg.ExecuteInProcessResult) -> str:
    [event] = result.get_step_failure_events()
    error = event.event_specific_data.error
    causes = [error, *([error.cause] if error.cause else [])]
    return " | ".join(cause.message.strip() for cause in causes)


def _april_files(data: Path) -> list[Path]:
    return [p for p in (data / "nps" / "bronze").rglob("*20220516*") if p.is_file()]


def test_a_full_disk_during_the_download_names_the_file_and_leaves_nothing_half_written(nps):
    data, resources = nps["data"], nps["resources"]
    silver_before = _silver(data)
    filler = Filler(data, leave=96 * 1024)
    try:
        result = _run("2022-04", resources, "nps_his_download")
        assert not result.success
        message = _failure(result)
        assert "No space left on device" in message and "20220516.csv" in message, message
        assert _partials(data) == [] and _april_files(data) == []
    finally:
        filler.release()
    retried_at = time.monotonic()
    assert _run("2022-04", resources, "nps_his_download").success
    assert len(_april_files(data)) == 1 and _partials(data) == []
    assert _silver(data) == silver_before
    print(
        f"\ndownload with {filler.free // 1024} KiB free: failed ({message[-220:]}); no partial file; "
        f"succeeded in {time.monotonic() - retried_at:.1f}s once the space was back"
    )


def test_a_full_disk_during_the_digest_names_the_file_and_keeps_silver_as_it_was(nps):
    data, resources = nps["data"], nps["resources"]
    if not _april_files(data):
        assert _run("2022-04", resources, "nps_his_download").success
    silver_before = _silver(data)
    assert [str(month)[:7] for month, _, _ in silver_before] == ["2022-03"]
    filler = Filler(data, leave=64 * 1024)
    try:
        result = _run("2022-04", resources, "nps_his_digest")
        assert not result.success
        message = _failure(result)
        assert "No space left on device" in message or "space" in message.lower(), message
        assert "nps.duckdb" in message, message
    finally:
        filler.release()
    assert _silver(data) == silver_before, "silver changed after the failed digest"
    retried_at = time.monotonic()
    assert _run("2022-04", resources, "nps_his_digest").success
    after = _silver(data)
    assert after[0] == silver_before[0] and [str(m)[:7] for m, _, _ in after] == ["2022-03", "2022-04"]
    print(
        f"\ndigest with {filler.free // 1024} KiB free: failed ({message[-220:]}); silver kept "
        f"{silver_before[0][1]} rows of 2022-03 and no 2022-04; succeeded in "
        f"{time.monotonic() - retried_at:.1f}s once the space was back ({after[1][1]} rows of 2022-04)"
    )
