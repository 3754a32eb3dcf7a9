"""Extensions, company-name functions and matching indexes of `public.pension`.

The indexes are built after the rows are in: a multi-month load drops them first
(`drop_secondary_indexes`), then `build_indexes` creates the missing ones in one go. The builds
are plain `CREATE INDEX` (as the legacy did, deliberately) in parallel sessions: over a freshly
loaded table a concurrent build would scan it twice and wait on every open snapshot, and nothing
else writes `pension` while the NPS chain runs (a writer waits for the build; readers do not).
An interrupted build leaves nothing behind; an INVALID index an older concurrent build left is
dropped and rebuilt. The asset `nps_pension_staging_indexes` and the SaaS DDL both call these.

The GiST trigram index is the spec's optional one (`CREATE_GIST_TRGM` in the legacy): no query of
the platform uses it (nearest-neighbour matching runs on `dim_company`, which has its own), and
over the full history it costs more than every other index together, so it is built only when
`NPS_PENSION_GIST_INDEX` is true and dropped when it is not.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

EXTENSIONS = ("pg_trgm", "unaccent")
NORM = "public.nps_normalize_company_name(company_name)"
GIST_INDEX = "idx_pension_name_norm_trgm_gist"
# Largest build first, so the parallel sessions finish together.
INDEXES = {
    "idx_pension_name_norm_trgm_gin": f"USING gin ({NORM} gin_trgm_ops)",
    GIST_INDEX: f"USING gist ({NORM} gist_trgm_ops)",
    "idx_pension_name_norm_prefix": f"({NORM} text_pattern_ops)",
    "idx_pension_block_addr_ind": "(addr_sigungu_code, industry_code)",
    "idx_pension_brn": "(business_reg_num) WHERE business_reg_num IS NOT NULL",
    "idx_pension_ym_brin": "USING brin (data_created_ym)",
}
KEEP_DURING_LOAD = "idx_pension_ym_brin"
STATISTICS_COLUMNS = ("company_name", "business_reg_num", "data_created_ym")
# Session settings for the index builds (the spec's values; session-local, nothing global changes).
SESSION_SETTINGS = {"work_mem": "256MB", "maintenance_work_mem": "1GB", "synchronous_commit": "off"}
BUILD_SESSIONS = 2
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


def gist_index_wanted() -> bool:
    """`NPS_PENSION_GIST_INDEX` (read at run time; default false)."""
    from dag_shared.settings import env

    raw = (env("NPS_PENSION_GIST_INDEX") or "false").strip().lower()
    if raw not in _TRUE + _FALSE:
        raise ValueError(f"NPS_PENSION_GIST_INDEX={raw!r} is not one of true/false (or 1/0, yes/no, on/off)")
    return raw in _TRUE


def wanted_indexes() -> dict[str, str]:
    """The indexes `pension` should have under the current settings, by name."""
    if gist_index_wanted():
        return dict(INDEXES)
    return {name: definition for name, definition in INDEXES.items() if name != GIST_INDEX}


def ensure_functions(conn: Any) -> None:
    """The two extensions and the four company-name functions (idempotent)."""
    from dag_nps.lib.name_sql import all_function_sql

    for extension in EXTENSIONS:
        conn.execute(f"CREATE EXTENSION IF NOT EXISTS {extension} SCHEMA public")
    for statement in all_function_sql():
        conn.execute(statement)


def drop_secondary_indexes(url: str) -> list[str]:
    """Drop the matching indexes except the BRIN month index (a backfill loads first, then builds).

    COPY into a table without the trigram expression indexes is several times faster; the month
    index stays because every reload deletes by month.
    """
    import psycopg

    dropped = []
    with psycopg.connect(url, autocommit=True) as conn:
        existing = _existing_indexes(conn)
        for name in INDEXES:
            if name in existing and name != KEEP_DURING_LOAD:
                conn.execute(f"DROP INDEX CONCURRENTLY IF EXISTS public.{name}")
                dropped.append(name)
    return dropped


def build_indexes(url: str, log: Callable[[str], None] = lambda message: None) -> list[str]:
    """Create the wanted indexes that are missing, drop the unwanted GiST one; returns the actions taken."""
    import psycopg

    wanted = wanted_indexes()
    actions = []
    with psycopg.connect(url, autocommit=True) as conn:
        invalid = {
            row[0]
            for row in conn.execute(
                "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                "WHERE NOT i.indisvalid AND c.relname = ANY(%s)",
                (list(INDEXES),),
            )
        }
        for name in sorted(invalid):
            conn.execute(f"DROP INDEX IF EXISTS public.{name}")
            actions.append(f"dropped invalid {name}")
        existing = _existing_indexes(conn)
        for name in sorted((set(INDEXES) - set(wanted)) & existing):
            conn.execute(f"DROP INDEX IF EXISTS public.{name}")
            actions.append(f"dropped {name} (NPS_PENSION_GIST_INDEX is false)")
            log(actions[-1])
        missing = [name for name in wanted if name not in existing]  # read after the invalid ones went
    with ThreadPoolExecutor(max_workers=BUILD_SESSIONS, thread_name_prefix="pension-index") as pool:
        for name in pool.map(lambda name: _create_index(url, name, wanted[name], log), missing):
            actions.append(f"created {name}")
    with psycopg.connect(url, autocommit=True) as conn:
        for column in STATISTICS_COLUMNS:
            conn.execute(f"ALTER TABLE public.pension ALTER COLUMN {column} SET STATISTICS 1000")
        conn.execute("ANALYZE public.pension")
        actions.append("analyzed public.pension")
    return actions


def _existing_indexes(conn: Any) -> set[str]:
    return {
        row[0]
        for row in conn.execute(
            "SELECT indexname FROM pg_indexes WHERE schemaname = 'public' AND tablename = 'pension'"
        )
    }


def _create_index(url: str, name: str, definition: str, log: Callable[[str], None]) -> str:
    """One index in its own session (the spec's session settings), logged with its duration."""
    import time

    import psycopg

    started = time.monotonic()
    with psycopg.connect(url, autocommit=True) as conn:
        for setting, value in SESSION_SETTINGS.items():
            conn.execute(f"SET {setting} = '{value}'")
        conn.execute(f"CREATE INDEX IF NOT EXISTS {name} ON public.pension {definition}")
    log(f"created index {name} in {time.monotonic() - started:.1f} s")
    return name
