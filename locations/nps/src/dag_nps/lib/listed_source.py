"""Reads CD's `cd_listed_companies` data product from the shared object store.

The nps location knows the product only by its published layout (a `latest.json` pointer naming a
Parquet object), never by CD's code or database: the pointer's key, the object's rows, in the
columns the product documents. A missing pointer or column is an error naming the key.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

LATEST_KEY = "cd/cd_listed_companies/latest.json"
REQUIRED = (
    "company_id",
    "company_name",
    "market",
    "ticker",
    "listing_date",
    "delisting_date",
    "readings",
    "as_of",
)


class ListedSourceError(RuntimeError):
    """The product is not published yet, or not in the documented shape."""


@dataclass(frozen=True)
class ListedCompanies:
    key: str
    day: str
    rows: list[tuple]  # in REQUIRED order


def read_listed(store: Any) -> ListedCompanies:
    import duckdb

    if not store.exists(LATEST_KEY):
        raise ListedSourceError(
            f"no '{LATEST_KEY}' in the object store: cd_listed_companies has not published a trading day yet"
        )
    pointer = json.loads(store.get(LATEST_KEY))
    key = pointer["key"]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "listed.parquet"
        path.write_bytes(store.get(key))
        conn = duckdb.connect()
        try:
            columns = [
                row[0] for row in conn.execute(f"DESCRIBE SELECT * FROM read_parquet('{path}')").fetchall()
            ]
            missing = [c for c in REQUIRED if c not in columns]
            if missing:
                raise ListedSourceError(f"{key}: columns {missing} missing (has {columns})")
            rows = conn.execute(
                f"SELECT {', '.join(REQUIRED)} FROM read_parquet('{path}') ORDER BY company_id"
            ).fetchall()
        finally:
            conn.close()
    return ListedCompanies(key=key, day=pointer["day"], rows=rows)
