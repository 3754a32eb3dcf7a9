"""DDL of the SaaS/KYC company layer (10 tables, indexes, review trigger, control row)."""

from __future__ import annotations

PIPELINE_NAME = "nps_saas_etl"
REBUILD_PIPELINE_NAME = "nps_full_rebuild"

SAAS_TABLES = (
    "dim_company",
    "company_alias",
    "fact_pension_monthly",
    "etl_control",
    "etl_run_log",
    "match_audit_log",
    "match_review_queue",
    "company_rollup",
    "fact_pension_monthly_rollup",
    "fact_pension_lineage",
)

# The one declaration of `fact_pension_monthly` (the matching's output, shown by both matching
# assets): (name, type, constraint). Its DDL and the assets' column schema derive from it.
FACT_TABLE = "public.fact_pension_monthly"
FACT_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("company_id", "BIGINT", "NOT NULL REFERENCES public.dim_company (company_id) ON DELETE CASCADE"),
    ("ym", "DATE", "NOT NULL"),
    ("subscriber_count", "INTEGER", ""),
    ("monthly_notice_amount", "BIGINT", ""),
    ("new_subscribers", "INTEGER", ""),
    ("lost_subscribers", "INTEGER", ""),
)
FACT_DDL = (
    f"CREATE TABLE IF NOT EXISTS {FACT_TABLE} (\n"
    + "".join(f"    {name} {kind} {constraint}".rstrip() + ",\n" for name, kind, constraint in FACT_COLUMNS)
    + "    PRIMARY KEY (company_id, ym))"
)

DDL = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public",
    "CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public",
    """CREATE TABLE IF NOT EXISTS public.dim_company (
        company_id BIGSERIAL PRIMARY KEY,
        business_reg_num VARCHAR(10),
        canonical_name TEXT NOT NULL,
        normalized_name TEXT NOT NULL,
        company_types TEXT[],
        industry_code VARCHAR(10),
        addr_key TEXT,
        valid_from DATE NOT NULL DEFAULT DATE '1900-01-01',
        valid_to DATE NOT NULL DEFAULT DATE '9999-12-31')""",
    "ALTER TABLE public.dim_company DROP COLUMN IF EXISTS company_type",
    "CREATE UNIQUE INDEX IF NOT EXISTS idx_dim_company_brn_addr ON public.dim_company (business_reg_num, addr_key)",
    "CREATE INDEX IF NOT EXISTS idx_dim_company_brn ON public.dim_company (business_reg_num) WHERE business_reg_num IS NOT NULL",
    "CREATE INDEX IF NOT EXISTS idx_dim_company_types_gin ON public.dim_company USING gin (company_types)",
    "CREATE INDEX IF NOT EXISTS idx_dim_company_norm_trgm_gin ON public.dim_company USING gin (normalized_name gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS idx_dim_company_norm_trgm_gist ON public.dim_company USING gist (normalized_name gist_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS idx_dim_company_norm_prefix ON public.dim_company (normalized_name text_pattern_ops)",
    """CREATE TABLE IF NOT EXISTS public.company_alias (
        company_id BIGINT NOT NULL REFERENCES public.dim_company (company_id) ON DELETE CASCADE,
        alias TEXT NOT NULL,
        normalized_alias TEXT NOT NULL,
        alias_canonical TEXT,
        source TEXT,
        quality TEXT,
        PRIMARY KEY (company_id, normalized_alias))""",
    "CREATE INDEX IF NOT EXISTS idx_alias_trgm_gin ON public.company_alias USING gin (normalized_alias gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS idx_alias_trgm_gist ON public.company_alias USING gist (normalized_alias gist_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS idx_alias_prefix ON public.company_alias (normalized_alias text_pattern_ops)",
    FACT_DDL,
    "CREATE INDEX IF NOT EXISTS idx_fact_pension_monthly_ym ON public.fact_pension_monthly (ym)",
    """CREATE TABLE IF NOT EXISTS public.etl_control (
        pipeline_name TEXT PRIMARY KEY,
        last_ym DATE,
        updated_at TIMESTAMP NOT NULL DEFAULT now())""",
    f"INSERT INTO public.etl_control (pipeline_name, last_ym) VALUES ('{PIPELINE_NAME}', NULL) ON CONFLICT DO NOTHING",
    """CREATE TABLE IF NOT EXISTS public.etl_run_log (
        pipeline_name TEXT NOT NULL,
        run_started_at TIMESTAMP NOT NULL DEFAULT now(),
        total_rows BIGINT, accepted_rows BIGINT, review_rows BIGINT, reject_rows BIGINT, unmatched_rows BIGINT,
        notes TEXT,
        run_uuid UUID)""",
    "ALTER TABLE public.etl_run_log ADD COLUMN IF NOT EXISTS unmatched_rows BIGINT",
    """CREATE TABLE IF NOT EXISTS public.match_audit_log (
        run_uuid UUID, raw_id BIGINT,
        candidate_company_id BIGINT REFERENCES public.dim_company (company_id) ON DELETE CASCADE,
        rule TEXT, sim_name NUMERIC, addr_match BOOLEAN, industry_match BOOLEAN, score NUMERIC,
        decided TEXT, decided_company_id BIGINT, details JSONB, created_at TIMESTAMP NOT NULL DEFAULT now())""",
    "CREATE INDEX IF NOT EXISTS idx_match_audit_run_raw ON public.match_audit_log (run_uuid, raw_id)",
    "CREATE INDEX IF NOT EXISTS idx_match_audit_raw ON public.match_audit_log (raw_id)",
    """CREATE TABLE IF NOT EXISTS public.company_rollup (
        company_id BIGINT PRIMARY KEY REFERENCES public.dim_company (company_id) ON DELETE CASCADE,
        rollup_id BIGINT NOT NULL REFERENCES public.dim_company (company_id) ON DELETE CASCADE,
        method TEXT, created_at TIMESTAMPTZ NOT NULL DEFAULT now())""",
    "CREATE INDEX IF NOT EXISTS idx_company_rollup_rollup ON public.company_rollup (rollup_id)",
    """CREATE TABLE IF NOT EXISTS public.match_review_queue (
        raw_id BIGINT PRIMARY KEY,
        top_candidate_company_id BIGINT REFERENCES public.dim_company (company_id) ON DELETE CASCADE,
        score NUMERIC, name_norm TEXT, addr_key TEXT, industry_code VARCHAR(10),
        status TEXT NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'APPROVED', 'REJECTED')),
        created_at TIMESTAMP NOT NULL DEFAULT now(),
        decided_company_id BIGINT REFERENCES public.dim_company (company_id) ON DELETE SET NULL,
        decided_at TIMESTAMP,
        decided_rollup_id BIGINT REFERENCES public.dim_company (company_id) ON DELETE SET NULL)""",
    "CREATE INDEX IF NOT EXISTS idx_review_queue_status ON public.match_review_queue (status)",
    "CREATE INDEX IF NOT EXISTS idx_review_queue_decided_company ON public.match_review_queue (decided_company_id)",
    """CREATE TABLE IF NOT EXISTS public.fact_pension_monthly_rollup (
        rollup_id BIGINT NOT NULL REFERENCES public.dim_company (company_id) ON DELETE CASCADE,
        ym DATE NOT NULL,
        subscriber_count BIGINT, monthly_notice_amount BIGINT, new_subscribers INTEGER, lost_subscribers INTEGER,
        PRIMARY KEY (rollup_id, ym))""",
    "CREATE INDEX IF NOT EXISTS idx_fact_rollup_ym_desc ON public.fact_pension_monthly_rollup (ym DESC)",
    """CREATE TABLE IF NOT EXISTS public.fact_pension_lineage (
        run_uuid UUID NOT NULL,
        rollup_id BIGINT REFERENCES public.dim_company (company_id) ON DELETE CASCADE,
        ym DATE, raw_id BIGINT NOT NULL,
        company_id BIGINT REFERENCES public.dim_company (company_id) ON DELETE CASCADE,
        PRIMARY KEY (run_uuid, raw_id))""",
    "CREATE INDEX IF NOT EXISTS idx_fact_lineage_rollup_ym ON public.fact_pension_lineage (rollup_id, ym)",
    "CREATE INDEX IF NOT EXISTS idx_fact_lineage_ym ON public.fact_pension_lineage (ym)",
    """CREATE OR REPLACE FUNCTION public.trg_fn_review_approved() RETURNS trigger
    LANGUAGE plpgsql SET search_path = pg_catalog, public AS $fn$
    BEGIN
        NEW.decided_at := now();
        INSERT INTO public.company_alias (company_id, alias, normalized_alias, alias_canonical, source, quality)
        SELECT NEW.decided_company_id, p.company_name, public.nps_normalize_company_name(p.company_name),
               public.nps_canonicalize_company_name(p.company_name), 'review_approved', 'manual'
        FROM public.pension p
        WHERE p.id = NEW.raw_id AND public.nps_normalize_company_name(p.company_name) <> ''
        ON CONFLICT (company_id, normalized_alias) DO NOTHING;
        IF NEW.decided_rollup_id IS NOT NULL THEN
            INSERT INTO public.company_rollup (company_id, rollup_id, method)
            VALUES (NEW.decided_company_id, NEW.decided_rollup_id, 'review_approved')
            ON CONFLICT (company_id) DO UPDATE SET rollup_id = EXCLUDED.rollup_id, method = EXCLUDED.method;
        END IF;
        RETURN NEW;
    END
    $fn$""",
    "DROP TRIGGER IF EXISTS trg_review_approved ON public.match_review_queue",
    """CREATE TRIGGER trg_review_approved
        BEFORE UPDATE OF status, decided_company_id, decided_rollup_id ON public.match_review_queue
        FOR EACH ROW WHEN (NEW.status = 'APPROVED' AND NEW.decided_company_id IS NOT NULL)
        EXECUTE FUNCTION public.trg_fn_review_approved()""",
)


def ensure_saas_tables(conn) -> list[str]:
    """`pension` with its name functions, then the layer's tables, indexes, trigger and control row."""
    from dag_nps.lib.pension_indexes import ensure_functions
    from dag_nps.lib.pension_table import ensure_pension

    ensure_pension(conn)
    ensure_functions(conn)
    for statement in DDL:
        conn.execute(statement)
    return [f"ensured {name}" for name in SAAS_TABLES]
