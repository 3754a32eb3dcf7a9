"""Bronze landing: bring the releases of a data month into the data directory, validated.

Both sources end the same way: the file is written to a temporary name, validated, then renamed
atomically into `releases/` (valid) or `quarantine/` (with a `.reason` file next to it), and the
outcome is recorded in the ledger. A file is known by its SHA-256: a local file whose content
equals its ledger row's (and whose landed copy is still there) is skipped, a changed one is landed
again and reported in `LandingReport.changed`. A file that the ledger knows as this month's but
that now carries another data month is a conflict (`LandingReport.conflicts`), never a silent skip.
A portal release whose landed file is still there with the recorded size is not fetched again
(the portal shows no content identity before the download).
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dag_nps.lib.columns import SOURCE_ENCODING
from dag_nps.lib.ledger import LedgerEntry, entries, record
from dag_nps.lib.portal import Release, sanitize_title, title_date
from dag_nps.lib.validate import check_file, peek_month, sha256_of

# A monthly file is ~120 MB; the legacy 10 GB rule was for the whole history at once.
MIN_FREE_BYTES = 1 << 30


@dataclass
class LandingReport:
    landed: list[LedgerEntry] = field(default_factory=list)
    quarantined: list[LedgerEntry] = field(default_factory=list)
    skipped: int = 0
    candidates: int = 0
    warnings: list[str] = field(default_factory=list)
    changed: list[LedgerEntry] = field(
        default_factory=list
    )  # landed again: content differs from the ledger's
    conflicts: list[str] = field(
        default_factory=list
    )  # files of another month under a name known for this one


def _months_after(month: str, count: int) -> str:
    year, mon = int(month[:4]), int(month[5:7]) + count
    year += (mon - 1) // 12
    return f"{year}-{(mon - 1) % 12 + 1:02d}"


def release_window(month: str) -> tuple[str, str]:
    """Release dates that can carry data month `month`: from its 1st to the end of month + 2."""
    return f"{month}-01", f"{_months_after(month, 3)}-01"


def _already_landed(entry: LedgerEntry | None) -> bool:
    if entry is None or entry.status != "valid":
        return False
    path = Path(entry.file_path)
    return path.is_file() and path.stat().st_size == entry.size_bytes


def land(
    temporary: Path,
    landing: Path,
    key: str,
    title: str,
    release_date: str | None,
    special: str | None,
    source: str,
    min_bytes: int,
    previous: LedgerEntry | None = None,
) -> LedgerEntry:
    """Validate a temporary file and rename it into releases/ or quarantine/; return its ledger row.

    `previous` is the ledger row of the same name, if any: its hash is kept in `replaced_sha256`
    when the content differs.
    """
    check = check_file(temporary, min_bytes)
    if check.ok:
        target = landing / "releases" / key
    else:
        target = landing / "quarantine" / f"{Path(key).stem}.{uuid.uuid4().hex[:8]}.csv"
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(temporary, target)
    if not check.ok:
        target.with_suffix(".reason").write_text(check.reason + "\n", encoding="utf-8")
    return LedgerEntry(
        release_key=key,
        title=title,
        release_date=release_date,
        special_version=special,
        source=source,
        file_path=str(target),
        size_bytes=check.size_bytes,
        sha256=check.sha256,
        source_encoding=SOURCE_ENCODING,
        data_month=check.data_month,
        status="valid" if check.ok else "quarantined",
        reason=check.reason,
        replaced_sha256=previous.sha256 if previous is not None and previous.sha256 != check.sha256 else None,
    )


def _temporary(landing: Path) -> Path:
    folder = landing / ".partial"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{uuid.uuid4().hex}.part"


def land_local(conn: Any, source_dir: Path, landing: Path, month: str, min_bytes: int) -> LandingReport:
    """Copy the folder's files whose first row is data month `month` into the landing zone.

    Only the month's files, and files the ledger knows as this month's, are hashed; the others are
    recognised by their first row alone.
    """
    report = LandingReport()
    if not source_dir.is_dir():
        raise FileNotFoundError(f"NPS_SOURCE_DIR {source_dir} is not a folder")
    known = entries(conn)
    for path in sorted(source_dir.glob("*.csv")):
        key = sanitize_title(path.name)
        previous = known.get(key)
        try:
            file_month = peek_month(path)
        except ValueError:
            file_month = None  # unreadable: landed below, where validation quarantines it with its reason
        if file_month is not None and file_month != month:
            if previous is not None and previous.status == "valid" and previous.data_month == month:
                report.conflicts.append(
                    f"{path}: this name was landed as data month {month} (sha256 {previous.sha256[:12]}…), "
                    f"but the file now under it is data month {file_month} (sha256 {sha256_of(path)[:12]}…); "
                    f"put {file_month}'s file under its own release name and restore {month}'s"
                )
            continue
        sha = sha256_of(path)
        unchanged = previous is not None and previous.sha256 == sha
        if unchanged and (previous.status != "valid" or _already_landed(previous)):
            report.candidates += file_month is not None
            report.skipped += file_month is not None
            continue
        report.candidates += 1
        temporary = _temporary(landing)
        try:
            shutil.copyfile(path, temporary)
        except OSError as error:
            # A full disk or a read error: nothing half-copied stays behind, and the message says
            # which file could not be landed where.
            temporary.unlink(missing_ok=True)
            raise OSError(
                error.errno, f"landing {path} as {temporary} failed: {error.strerror or error}"
            ) from error
        entry = land(
            temporary, landing, key, path.stem, title_date(path.stem), None, "local", min_bytes, previous
        )
        record(conn, entry)
        (report.landed if entry.status == "valid" else report.quarantined).append(entry)
        if entry.replaced_sha256:
            report.changed.append(entry)
    return report


def land_portal(
    conn_factory: Callable[[], Any],
    base_url: str,
    landing: Path,
    month: str,
    min_bytes: int,
    concurrency: int,
    log: Callable[[str], None],
) -> LandingReport:
    """Discover the releases, download the missing ones in the month's release window, in parallel.

    Each worker thread has its own HTTP client; the first failure cancels the pending downloads
    and fails the step. Ledger writes happen on the calling thread, one per finished file.
    """
    from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait

    from dag_nps.lib.portal import PortalClient

    report = LandingReport()
    with PortalClient(base_url) as client:
        releases = client.discover(warn=report.warnings.append)
    start, end = release_window(month)
    candidates = [r for r in releases if r.release_date is not None and start <= r.release_date < end]
    report.candidates = len(candidates)
    with conn_factory() as conn:
        known = entries(conn)
    missing = [r for r in candidates if not _already_landed(known.get(r.title))]
    report.skipped = len(candidates) - len(missing)
    free = shutil.disk_usage(landing).free
    if missing and free < MIN_FREE_BYTES:
        raise RuntimeError(
            f"{landing}: {free / 2**30:.1f} GiB free, downloads need at least {MIN_FREE_BYTES / 2**30:.0f} GiB"
        )

    def fetch(release: Release) -> LedgerEntry:
        temporary = _temporary(landing)
        try:
            with PortalClient(base_url) as worker_client:
                worker_client.download(release, temporary)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
        return land(
            temporary,
            landing,
            release.title,
            release.title.removesuffix(".csv"),
            release.release_date,
            release.special_version,
            "portal",
            min_bytes,
            known.get(release.title),
        )

    with ThreadPoolExecutor(max_workers=max(1, concurrency), thread_name_prefix="nps-download") as pool:
        futures = {pool.submit(fetch, release): release for release in missing}
        done, pending = wait(futures, return_when=FIRST_EXCEPTION)
        for future in pending:
            future.cancel()
        finished = [f for f in done if f.exception() is None]
        with conn_factory() as conn:
            for future in finished:
                entry = future.result()
                record(conn, entry)
                (report.landed if entry.status == "valid" else report.quarantined).append(entry)
                if entry.replaced_sha256:
                    report.changed.append(entry)
                log(f"{entry.release_key}: {entry.status} ({entry.reason})")
        for future in done:
            if future.exception() is not None:
                release = futures[future]
                raise RuntimeError(
                    f"download of {release.title} failed: {future.exception()}"
                ) from future.exception()
    return report


def title_month_warning(entry: LedgerEntry) -> str | None:
    """Cross-check of a file's data month against its release (title) date."""
    if entry.release_date is None or entry.data_month is None:
        return None
    start, end = release_window(entry.data_month)
    if not (start <= entry.release_date < end):
        return f"{entry.release_key}: data month {entry.data_month} is unusual for a release dated {entry.release_date}"
    return None
