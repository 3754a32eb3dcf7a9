"""Finalize step: logos of existing companies into the target bucket and their URLs into the
company table, safely and idempotently.

Order: (1) check which companies exist; (2) upload PNG and WebP with their content types,
skipping objects that already hold the same bytes; any upload error raises before the database
is touched; (3) write all URLs in one transaction, only where they differ. A re-run therefore
uploads nothing and updates nothing. Files of unknown companies are left out, counted, with the
reason.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dag_shared.images.lib import keys
from dag_shared.images.lib.companies import CompanyTable, existing, set_urls


class FinalizeError(RuntimeError):
    """A logo could not be finalized (missing WebP, failed upload)."""


@dataclass
class Finalized:
    uploaded: list[str] = field(default_factory=list)  # object keys written to the target bucket
    unchanged_objects: int = 0
    updated: list[tuple[str, str, str]] = field(default_factory=list)  # (id, name, url)
    already_current: int = 0
    skipped: dict[str, str] = field(default_factory=dict)  # file name -> reason


def pairs(png_dir: Path, webp_dir: Path) -> dict[str, tuple[Path, Path]]:
    """{company id: (png, webp)} for every downloaded PNG; a PNG without its WebP raises."""
    found: dict[str, tuple[Path, Path]] = {}
    for png in sorted(png_dir.glob("*.png")):
        company_id, _ = keys.parse_key(png.name)
        webp = webp_dir / keys.webp_key(company_id)
        if not webp.is_file():
            raise FinalizeError(f"{png.name} has no WebP in {webp_dir}: run the WebP step first")
        found[company_id] = (png, webp)
    return found


def upload_if_changed(store: Any, key: str, data: bytes, content_type: str, result: Finalized) -> None:
    try:
        if store.holds(key, data, content_type):
            result.unchanged_objects += 1
            return
        store.put(key, data, content_type)
    except Exception as error:
        raise FinalizeError(f"uploading {key} to the target bucket failed: {error}") from error
    result.uploaded.append(key)


def finalize(
    conn: Any,
    table: CompanyTable,
    store: Any,
    public_base_url: str,
    png_dir: Path,
    webp_dir: Path,
    record: Callable[[list[tuple[str, str, str]]], Any] | None = None,
) -> Finalized:
    """Runs the three stages on an open psycopg connection (not inside a transaction yet).

    `record` receives the changed rows inside the database transaction (the DuckDB ledger): if it
    fails, the URLs are rolled back too.
    """
    result = Finalized()
    files = pairs(png_dir, webp_dir)
    known = existing(conn, table, list(files))
    for company_id in sorted(files):
        if company_id not in known:
            result.skipped[files[company_id][0].name] = f"no company with {table.id_column} = {company_id}"
    ready = {cid: files[cid] for cid in sorted(files) if cid in known}
    for company_id, (png, webp) in ready.items():
        upload_if_changed(store, keys.png_key(company_id), png.read_bytes(), "image/png", result)
        upload_if_changed(store, keys.webp_key(company_id), webp.read_bytes(), "image/webp", result)
    urls = {cid: keys.public_url(public_base_url, cid) for cid in ready}
    with conn.transaction():
        result.updated = set_urls(conn, table, urls)
        if record is not None and result.updated:
            record(result.updated)
    result.already_current = len(urls) - len(result.updated)
    return result
