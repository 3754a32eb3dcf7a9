"""The DS warehouse table the logo pipeline reads and writes, and its sample rows.

`company(id, name, thumbnail, is_deleted)` in DS's own database (DS_POSTGRES_URL), created
idempotently. In the local default (no live search configured) an empty table is seeded with the
sample companies of `sample_companies.csv` (sample data: real listed-company names with made-up
ids; one deleted company, and two names the local search stand-in shows no company card for).
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

SAMPLE_FILE = Path(__file__).with_name("sample_companies.csv")

DDL = (
    (
        "CREATE TABLE IF NOT EXISTS company ("
        " id bigint PRIMARY KEY,"
        " name text NOT NULL,"
        " thumbnail text,"
        " is_deleted boolean NOT NULL DEFAULT false)"
    ),
)


def sample_rows() -> list[dict[str, str]]:
    with open(SAMPLE_FILE, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _flag(value: str) -> bool:
    return value.strip().lower() == "true"


def search_card_names() -> list[str]:
    """Names the local search stand-in shows a company card (and logo) for."""
    return [row["name"] for row in sample_rows() if _flag(row["search_card"])]


def prepare(conn: Any, local: bool) -> None:
    """Creates `company`; seeds the sample companies into an empty table in the local default."""
    for statement in DDL:
        conn.execute(statement)
    if not local or conn.execute("SELECT EXISTS (SELECT 1 FROM company)").fetchone()[0]:
        return
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO company (id, name, is_deleted) VALUES (%s, %s, %s) ON CONFLICT (id) DO NOTHING",
            [(int(r["id"]), r["name"], _flag(r["is_deleted"])) for r in sample_rows()],
        )
