"""DDL of the listed-company product: CD's master as staged here, the alias table, the matches,
their audit, the monthly table `listed_company_pension_monthly` and its latest-month view.

All in the nps database (public schema), created idempotently by `nps_listed_company_pension`.
"""

from __future__ import annotations

MONTHLY_TABLE = "public.listed_company_pension_monthly"
LATEST_VIEW = "public.listed_company_pension_latest"

# (name, type, constraint): the one declaration of the product table; DDL and column schema derive from it.
MONTHLY_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("company_id", "TEXT", "NOT NULL"),
    ("company_name", "TEXT", "NOT NULL"),
    ("ym", "DATE", "NOT NULL"),
    ("subscriber_count", "BIGINT", ""),
    ("new_subscribers", "BIGINT", ""),
    ("lost_subscribers", "BIGINT", ""),
    ("monthly_notice_amount", "BIGINT", ""),
    ("match_method", "TEXT", "NOT NULL"),
    ("match_score", "NUMERIC(5, 4)", "NOT NULL"),
)

MONTHLY_DDL = (
    f"CREATE TABLE IF NOT EXISTS {MONTHLY_TABLE} (\n"
    + "".join(
        f"    {name} {kind} {constraint}".rstrip() + ",\n" for name, kind, constraint in MONTHLY_COLUMNS
    )
    + "    PRIMARY KEY (company_id, ym))"
)

DDL = (
    # CD's listed-company master as last read from the object store (replaced on every run).
    """CREATE TABLE IF NOT EXISTS public.listed_company (
        company_id TEXT PRIMARY KEY,
        company_name TEXT NOT NULL,
        market TEXT,
        ticker TEXT,
        listing_date DATE,
        delisting_date DATE,
        readings TEXT[] NOT NULL DEFAULT '{}',
        as_of DATE NOT NULL,
        source_key TEXT NOT NULL)""",
    # Names CD's Hangul readings cannot give (KRX short names, brand names): seeded from
    # dag_nps/lib/listed_aliases.csv; rows added by hand (source 'manual') survive re-seeding.
    """CREATE TABLE IF NOT EXISTS public.listed_company_alias (
        listed_name TEXT NOT NULL,
        alias TEXT NOT NULL,
        source TEXT NOT NULL DEFAULT 'seed',
        note TEXT,
        PRIMARY KEY (listed_name, alias))""",
    # One row per listed company and run: matched, review, ambiguous or unmatched, with the reason.
    """CREATE TABLE IF NOT EXISTS public.listed_company_match (
        company_id TEXT PRIMARY KEY,
        company_name TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('matched', 'review', 'ambiguous', 'unmatched')),
        match_method TEXT,
        match_score NUMERIC(5, 4),
        rollup_id BIGINT,
        workplaces INTEGER NOT NULL DEFAULT 0,
        reason TEXT)""",
    # Every workplace considered for a listed company and what was decided about it.
    """CREATE TABLE IF NOT EXISTS public.listed_company_match_audit (
        company_id TEXT NOT NULL,
        nps_company_id BIGINT NOT NULL,
        workplace_name TEXT,
        business_reg_num VARCHAR(10),
        rule TEXT NOT NULL,
        score NUMERIC(5, 4),
        decision TEXT NOT NULL,
        reason TEXT,
        PRIMARY KEY (company_id, nps_company_id))""",
    "CREATE INDEX IF NOT EXISTS idx_listed_match_audit_nps ON public.listed_company_match_audit (nps_company_id)",
    # The trigram stage's `%` search: a GIN index of its own (an expression only this query uses), as the
    # planner prefers the SaaS layer's GiST index for `%`, 10-20x slower on short Hangul names.
    (
        "CREATE INDEX IF NOT EXISTS idx_dim_company_norm_trgm_gin_listed ON public.dim_company "
        "USING gin ((normalized_name || '') gin_trgm_ops)"
    ),
    MONTHLY_DDL,
    f"CREATE INDEX IF NOT EXISTS idx_listed_pension_ym ON {MONTHLY_TABLE} (ym)",
    # The read path: each listed company's newest month.
    f"""CREATE OR REPLACE VIEW {LATEST_VIEW} AS
        SELECT m.* FROM {MONTHLY_TABLE} m
        WHERE m.ym = (SELECT max(ym) FROM {MONTHLY_TABLE})""",
)


def ensure_listed_tables(conn) -> None:
    for statement in DDL:
        conn.execute(statement)
