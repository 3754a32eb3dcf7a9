"""DDL of every SS table and view in the SS warehouse; idempotent, never dropping anything.

Staging tables hold one crawl file's rows per step (`crawl_file` is the partition key), so a step
replaces its partition in one transaction. `deals` and `aggregates_daily` are the served tables;
the `api_*_json` views are what the web application reads. Views are `CREATE OR REPLACE`d, which
keeps their data (they hold none) and never cascades into other objects.
"""

from __future__ import annotations

STAGING_DDL = """
CREATE TABLE IF NOT EXISTS raw_posts (
    crawl_file TEXT NOT NULL, post_id TEXT NOT NULL, url TEXT NOT NULL, site TEXT, board TEXT,
    title TEXT NOT NULL, author TEXT, posted_at TIMESTAMPTZ, view_count INT, like_count INT,
    comment_count INT, content TEXT, comments JSONB NOT NULL DEFAULT '[]',
    PRIMARY KEY (crawl_file, post_id)
);
CREATE TABLE IF NOT EXISTS normalized_posts (
    crawl_file TEXT NOT NULL, post_id TEXT NOT NULL, url TEXT NOT NULL, author TEXT, title TEXT,
    content TEXT, op_comment_texts JSONB NOT NULL DEFAULT '[]', text TEXT NOT NULL,
    op_comments INT NOT NULL, other_comments INT NOT NULL, channel TEXT, city TEXT, move_type TEXT,
    contract TEXT, payment TEXT, capacity TEXT, source_posted_at DATE, intent TEXT NOT NULL,
    deal_candidate BOOLEAN NOT NULL, deal_candidate_score DOUBLE PRECISION NOT NULL,
    advertorial_score DOUBLE PRECISION NOT NULL, nondeal_reason TEXT,
    PRIMARY KEY (crawl_file, post_id)
);
CREATE TABLE IF NOT EXISTS extracted_rules (
    crawl_file TEXT NOT NULL, post_id TEXT NOT NULL, segment INT NOT NULL, url TEXT NOT NULL,
    source_posted_at DATE, intent TEXT, deal_candidate BOOLEAN, deal_candidate_score DOUBLE PRECISION,
    advertorial_score DOUBLE PRECISION, prefilter_passed BOOLEAN NOT NULL, filtered_reason TEXT,
    deal JSONB, flags JSONB NOT NULL DEFAULT '[]',
    PRIMARY KEY (crawl_file, post_id, segment)
);
CREATE TABLE IF NOT EXISTS extracted_llm (
    crawl_file TEXT NOT NULL, post_id TEXT NOT NULL, segment INT NOT NULL, url TEXT NOT NULL,
    source_posted_at DATE, advertorial_score DOUBLE PRECISION, prefilter_passed BOOLEAN NOT NULL,
    filtered_reason TEXT, extraction TEXT NOT NULL, llm_status TEXT NOT NULL, llm_reason TEXT,
    deal JSONB, flags JSONB NOT NULL DEFAULT '[]',
    PRIMARY KEY (crawl_file, post_id, segment)
);
CREATE TABLE IF NOT EXISTS deal_quarantine (
    crawl_file TEXT NOT NULL, post_id TEXT NOT NULL, segment INT NOT NULL, url TEXT,
    reason TEXT NOT NULL, deal JSONB, flags JSONB NOT NULL DEFAULT '[]',
    PRIMARY KEY (crawl_file, post_id, segment)
);
CREATE TABLE IF NOT EXISTS crawl_files (
    crawl_file TEXT PRIMARY KEY, file_sha256 TEXT NOT NULL, crawled_at TIMESTAMPTZ, posts INT NOT NULL,
    deals INT, quarantined INT, processed_at TIMESTAMPTZ
);
"""

DEALS_DDL = """
CREATE TABLE IF NOT EXISTS deals (
    id BIGSERIAL PRIMARY KEY,
    deal_hash VARCHAR(32) NOT NULL,
    post_id TEXT, url TEXT, source_posted_at DATE,
    model TEXT NOT NULL, capacity TEXT,
    carrier TEXT NOT NULL CHECK (carrier IN ('SKT', 'KT', 'LGU+', 'MVNO')),
    move_type TEXT, contract TEXT, payment TEXT,
    channel TEXT CHECK (channel IS NULL OR channel IN ('온라인', '오프라인', 'unknown')),
    city TEXT,
    upfront INTEGER NOT NULL DEFAULT 0,
    plan_high_fee INTEGER, plan_high_months INTEGER, plan_after_fee INTEGER, plan_after_months INTEGER,
    mvno_tail_fee INTEGER, mvno_tail_months INTEGER, addons_monthly INTEGER, addons_months INTEGER,
    addons_count INTEGER, device_finance_total INTEGER, device_finance_months INTEGER,
    device_finance_monthly INTEGER, support_cash INTEGER, retention_line_months INTEGER,
    retention_plan_months INTEGER, retention_addons_months INTEGER,
    contract_type TEXT, contract_months INT, contract_extra_support BOOL, contract_support_amount INT,
    addons_detail JSONB, store TEXT,
    advertorial_score DOUBLE PRECISION,
    flags JSONB NOT NULL DEFAULT '[]',
    badges JSONB NOT NULL DEFAULT '[]',
    extraction TEXT,
    parsed_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    tco_total INT, tco_net INT
);
CREATE UNIQUE INDEX IF NOT EXISTS ux_deals_deal_hash ON deals (deal_hash);
CREATE INDEX IF NOT EXISTS ix_deals_model_tco_parsed ON deals (model, tco_total, parsed_at);
CREATE INDEX IF NOT EXISTS ix_deals_city ON deals (city);
CREATE INDEX IF NOT EXISTS ix_deals_carrier ON deals (carrier);
CREATE INDEX IF NOT EXISTS ix_deals_model_capacity_parsed ON deals (model, capacity, parsed_at);
CREATE INDEX IF NOT EXISTS ix_deals_model_capacity_tco_parsed ON deals (model, capacity, tco_total, parsed_at);
CREATE INDEX IF NOT EXISTS ix_deals_parsed_at ON deals (parsed_at);
CREATE INDEX IF NOT EXISTS ix_deals_source_posted_at ON deals (source_posted_at);

CREATE TABLE IF NOT EXISTS aggregates_daily (
    model TEXT NOT NULL, capacity TEXT NOT NULL, ts DATE NOT NULL,
    min INTEGER, p25 INTEGER, median INTEGER, p75 INTEGER, max INTEGER, avg INTEGER,
    n INT NOT NULL,
    PRIMARY KEY (model, capacity, ts)
);
"""

VIEWS_DDL = """
CREATE OR REPLACE VIEW api_deals_json AS
SELECT jsonb_strip_nulls(to_jsonb(d)) || jsonb_build_object(
    'upfront', COALESCE(d.upfront, 0),
    'flags', COALESCE(d.flags, '[]'::jsonb),
    'badges', COALESCE(d.badges, '[]'::jsonb),
    'addons_detail', COALESCE(d.addons_detail, '[]'::jsonb),
    'tco_monthly_24m', CEIL(d.tco_total / 24.0)::int,
    'tco_net_monthly_24m', CEIL(d.tco_net / 24.0)::int
) AS deal
FROM deals d;

CREATE OR REPLACE VIEW api_reports_daily_json AS
SELECT to_jsonb(a) AS report FROM aggregates_daily a;

CREATE OR REPLACE VIEW api_reports_daily_latest_json AS
SELECT to_jsonb(a) AS report
FROM (
    SELECT DISTINCT ON (model, capacity) * FROM aggregates_daily ORDER BY model, capacity, ts DESC
) a;
"""

STAGING_TABLES = ("raw_posts", "normalized_posts", "extracted_rules", "extracted_llm", "deal_quarantine")
SERVED_TABLES = ("deals", "aggregates_daily", "crawl_files")
VIEWS = ("api_deals_json", "api_reports_daily_json", "api_reports_daily_latest_json")


def ensure_schema(conn) -> None:
    """Create every SS table, index and view that does not exist yet.

    Serialised by an advisory lock held until the transaction ends: runs of several crawl files
    start at the same time, and concurrent `CREATE … IF NOT EXISTS` can collide in the catalog.
    """
    conn.execute("SELECT pg_advisory_xact_lock(hashtext('dag_ss.schema'))")
    conn.execute(STAGING_DDL)
    conn.execute(DEALS_DDL)
    conn.execute(VIEWS_DDL)
