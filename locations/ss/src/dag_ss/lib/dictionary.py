"""The product dictionary in the SS warehouse: DDL, idempotent seeding and loading for extraction.

Tables `carriers` and `phone_models` (`name` unique, `aliases` and `aliases_keyb` JSON arrays) are
created with `IF NOT EXISTS` and never dropped. Seeding upserts on `name`. Extraction loads the
dictionary from the database at the start of every run, so a reseed is seen by the next run
without restarting anything; an empty or missing dictionary is an error, never an empty list.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

from dag_ss.lib.keys import term_key
from dag_ss.lib.matcher import TermMatcher

DICTIONARY_TABLES = ("carriers", "phone_models")

_DDL = """
CREATE TABLE IF NOT EXISTS {table} (
    id SERIAL PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    aliases JSONB NOT NULL DEFAULT '[]',
    aliases_keyb JSONB NOT NULL DEFAULT '[]',
    CONSTRAINT {table}_aliases_array CHECK (jsonb_typeof(aliases) = 'array'),
    CONSTRAINT {table}_aliases_keyb_array CHECK (jsonb_typeof(aliases_keyb) = 'array')
);
CREATE INDEX IF NOT EXISTS ix_{table}_aliases_gin ON {table} USING GIN (aliases);
CREATE INDEX IF NOT EXISTS ix_{table}_aliases_keyb_gin ON {table} USING GIN (aliases_keyb);
"""


class DictionaryMissingError(RuntimeError):
    """The dictionary tables are missing or empty: extraction refuses to run without them."""


def ensure_dictionary_schema(conn) -> None:
    for table in DICTIONARY_TABLES:
        conn.execute(_DDL.format(table=table))


@dataclass(frozen=True)
class SeedRow:
    name: str
    aliases: list[str]
    aliases_keyb: list[str]


def seed_rows(terms: Mapping[str, Sequence[str]]) -> list[SeedRow]:
    """One representative alias per distinct Key-B, the canonical name first, in the given order."""
    rows = []
    for name, aliases in terms.items():
        kept, keys = [], []
        for alias in [name, *aliases]:
            key = term_key(alias)
            if key not in keys:
                kept.append(alias)
                keys.append(key)
        rows.append(SeedRow(name, kept, keys))
    return rows


def upsert_terms(conn, table: str, rows: Sequence[SeedRow]) -> int:
    """Insert or update rows on `name`; returns the rows that were inserted or changed."""
    if table not in DICTIONARY_TABLES:
        raise ValueError(f"{table!r} is not a dictionary table")
    changed = 0
    with conn.cursor() as cur:
        for row in rows:
            cur.execute(
                f"""INSERT INTO {table} (name, aliases, aliases_keyb) VALUES (%s, %s::jsonb, %s::jsonb)
                ON CONFLICT (name) DO UPDATE SET aliases = EXCLUDED.aliases, aliases_keyb = EXCLUDED.aliases_keyb
                WHERE ({table}.aliases, {table}.aliases_keyb)
                      IS DISTINCT FROM (EXCLUDED.aliases, EXCLUDED.aliases_keyb)""",
                (row.name, json.dumps(row.aliases, ensure_ascii=False), json.dumps(row.aliases_keyb)),
            )
            changed += cur.rowcount
    return changed


@dataclass(frozen=True)
class Dictionary:
    """Carriers and models as loaded from the warehouse, with their matchers (built once per load)."""

    carriers: dict[str, list[str]]
    models: dict[str, list[str]]

    @cached_property
    def carrier_matcher(self) -> TermMatcher:
        return TermMatcher(self.carriers)

    @cached_property
    def model_matcher(self) -> TermMatcher:
        return TermMatcher(self.models)


def load_dictionary(conn) -> Dictionary:
    """The dictionary as stored now; raises DictionaryMissingError when a table is absent or empty."""
    loaded = {}
    for table in DICTIONARY_TABLES:
        if conn.execute("SELECT to_regclass(%s) IS NULL", (table,)).fetchone()[0]:
            raise DictionaryMissingError(
                f"table {table} does not exist in the SS warehouse: materialize ss_seed_dictionary_data"
            )
        rows = conn.execute(f"SELECT name, aliases FROM {table} ORDER BY id").fetchall()
        if not rows:
            raise DictionaryMissingError(f"table {table} is empty: materialize ss_seed_dictionary_data")
        loaded[table] = {name: list(aliases) for name, aliases in rows}
    return Dictionary(carriers=loaded["carriers"], models=loaded["phone_models"])
