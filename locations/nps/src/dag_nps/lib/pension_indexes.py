"""Extensions, company-name functions and matching indexes of `public.pension`.

Indexes are built CONCURRENTLY on an autocommit connection (writes are not blocked), an index
left INVALID by an interrupted build is dropped and rebuilt, and only `ANALYZE` runs afterwards.
The asset `nps_pension_staging_indexes` and the SaaS DDL both call these.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

EXTENSIONS = ("pg_trgm", "unaccent")
NORM = "public.nps_normalize_company_name(company_name)"
INDEXES = {
    "idx_pension_name_norm_trgm_gin": f"USING gin ({NORM} gin_trgm_ops)",
    "idx_pension_name_norm_trgm_gist": f"USING gist ({NORM} gist_trgm_ops)",
    "idx_pension_name_norm_prefix": f"({NORM} text_pattern_ops)",
    "idx_pension_brn": "(business_reg_num) WHERE business_reg_num IS NOT NULL",
    "idx_pension_block_addr_ind": "(addr_sigungu_code, industry_code)",
    "idx_pension_ym_brin": "USING brin (data_created_ym)",
}
KEEP_DURING_LOAD = "idx_pension_ym_brin"
STATISTICS_COLUMNS = ("company_name", "business_reg_num", "data_created_ym")
# Session settings for the index builds (the spec's values; session-local, nothing global changes).
SESSION_SETTINGS = {"work_mem": "256MB", "maintenance_work_mem": "1GB", "synchronous_commit": "off"}


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
        existing = {
            row[0]
            for row in conn.execute(
                "SELECT indexname FROM pg_indexes WHERE schemaname = 'public' AND tablename = 'pension'"
            )
        }
        for name in INDEXES:
            if name in existing and name != KEEP_DURING_LOAD:
                conn.execute(f"DROP INDEX CONCURRENTLY IF EXISTS public.{name}")
                dropped.append(name)
    return dropped


def build_indexes(url: str, log: Callable[[str], None] = lambda message: None) -> list[str]:
    """Create the missing indexes concurrently; returns the actions taken."""
    import psycopg

    actions = []
    with psycopg.connect(url, autocommit=True) as conn:
        for setting, value in SESSION_SETTINGS.items():
            conn.execute(f"SET {setting} = '{value}'")
        invalid = {
            row[0]
            for row in conn.execute(
                "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                "WHERE NOT i.indisvalid AND c.relname = ANY(%s)",
                (list(INDEXES),),
            )
        }
        for name in sorted(invalid):
            conn.execute(f"DROP INDEX CONCURRENTLY IF EXISTS public.{name}")
            actions.append(f"dropped invalid {name}")
        existing = {
            row[0]
            for row in conn.execute(
                "SELECT indexname FROM pg_indexes WHERE schemaname = 'public' AND tablename = 'pension'"
            )
        }
        for name, definition in INDEXES.items():
            if name in existing and name not in invalid:
                continue
            conn.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON public.pension {definition}")
            actions.append(f"created {name}")
            log(f"created index {name}")
        for column in STATISTICS_COLUMNS:
            conn.execute(f"ALTER TABLE public.pension ALTER COLUMN {column} SET STATISTICS 1000")
        conn.execute("ANALYZE public.pension")
        actions.append("analyzed public.pension")
    return actions
