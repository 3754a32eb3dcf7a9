"""The company matching shared by the incremental ETL and the full rebuild.

Both paths call `refresh_companies` for the months they cover, then `match_month` for each
month in ascending order, one transaction per month. A company is a (6-digit BRN, address key)
pair whose attributes come from its latest month in `pension` (majority name, longer then
alphabetical on ties), so the dimension is a function of `pension` alone. Each raw row gets
exactly one outcome from its best candidate: accepted, review, reject or unmatched.
"""

from __future__ import annotations

from dataclasses import dataclass

AUTO_ACCEPT = 0.90
REVIEW_FLOOR = 0.75
KNN_TOPK = 3
TOP_AUDIT_K = 3
PROCESS_MONTH_BUFFER = 1
BRN_RULE = "BRN6_ADDR_MATCH"

ADDR_KEY = "nullif(concat_ws('-', p.addr_sigungu_code, p.legal_dong_addr_code), '')"


@dataclass
class MonthCounts:
    total: int = 0
    accepted: int = 0
    review: int = 0
    reject: int = 0
    unmatched: int = 0

    def add(self, other: MonthCounts) -> None:
        for name in ("total", "accepted", "review", "reject", "unmatched"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


REFRESH_COMPANIES = f"""
WITH keys AS (
    SELECT DISTINCT p.business_reg_num AS brn, {ADDR_KEY} AS addr_key
    FROM public.pension p
    WHERE p.data_created_ym = ANY(%(months)s) AND p.business_reg_num IS NOT NULL
), rows AS (
    SELECT k.brn, k.addr_key, p.company_name, p.industry_code, p.data_created_ym,
           max(p.data_created_ym) OVER (PARTITION BY k.brn, k.addr_key) AS latest
    FROM keys k
    JOIN public.pension p ON p.business_reg_num = k.brn AND {ADDR_KEY} IS NOT DISTINCT FROM k.addr_key
), latest AS (
    SELECT * FROM rows WHERE data_created_ym = latest
), names AS (
    SELECT brn, addr_key, coalesce(public.nps_canonicalize_company_name(company_name), btrim(company_name)) AS name,
           count(*) AS votes
    FROM latest GROUP BY 1, 2, 3
), best_name AS (
    SELECT DISTINCT ON (brn, addr_key) brn, addr_key, name
    FROM names ORDER BY brn, addr_key, votes DESC, length(name) DESC, name
), industries AS (
    SELECT DISTINCT ON (brn, addr_key) brn, addr_key, industry_code
    FROM (SELECT brn, addr_key, industry_code, count(*) AS votes FROM latest GROUP BY 1, 2, 3) v
    ORDER BY brn, addr_key, votes DESC, industry_code NULLS LAST
), types AS (
    SELECT brn, addr_key, array_agg(DISTINCT t ORDER BY t) FILTER (WHERE t IS NOT NULL) AS company_types
    FROM latest LEFT JOIN LATERAL unnest(public.nps_extract_company_types(company_name)) AS t ON true
    GROUP BY 1, 2
)
INSERT INTO public.dim_company (business_reg_num, addr_key, canonical_name, normalized_name, company_types, industry_code)
SELECT b.brn, b.addr_key, b.name, public.nps_normalize_company_name(b.name), coalesce(t.company_types, '{{}}'), i.industry_code
FROM best_name b JOIN industries i USING (brn, addr_key) JOIN types t USING (brn, addr_key)
ORDER BY b.brn, b.addr_key
ON CONFLICT (business_reg_num, addr_key) DO UPDATE SET
    canonical_name = EXCLUDED.canonical_name, normalized_name = EXCLUDED.normalized_name,
    company_types = EXCLUDED.company_types, industry_code = EXCLUDED.industry_code
"""

STAGE = f"""
CREATE TEMP TABLE stg_pension_month ON COMMIT DROP AS
SELECT p.id AS raw_id, p.company_name, p.business_reg_num AS brn, {ADDR_KEY} AS addr_key,
       p.addr_sigungu_code, p.industry_code, p.subscriber_count, p.monthly_notice_amount,
       p.new_subscribers, p.lost_subscribers, date_trunc('month', p.data_created_ym)::date AS ym,
       public.nps_normalize_company_name(p.company_name) AS name_norm
FROM public.pension p WHERE p.data_created_ym = %(month)s
"""

CANDIDATES = f"""
CREATE TEMP TABLE stg_candidates ON COMMIT DROP AS
WITH brn AS (
    SELECT s.raw_id, d.company_id, '{BRN_RULE}'::text AS rule, 0.95::numeric AS sim
    FROM stg_pension_month s JOIN public.dim_company d ON d.business_reg_num = s.brn AND d.addr_key IS NOT DISTINCT FROM s.addr_key
), alias AS (
    SELECT DISTINCT s.raw_id, a.company_id, 'ALIAS_EQ'::text AS rule, 0.92::numeric AS sim
    FROM stg_pension_month s JOIN public.company_alias a ON a.normalized_alias = s.name_norm
    WHERE char_length(s.name_norm) >= 3 AND NOT EXISTS (SELECT 1 FROM brn WHERE brn.raw_id = s.raw_id)
), knn AS (
    SELECT s.raw_id, k.company_id, 'NAME_KNN'::text AS rule, round((1 - k.distance)::numeric, 4) AS sim
    FROM stg_pension_month s
    CROSS JOIN LATERAL (
        SELECT d.company_id, d.normalized_name <-> s.name_norm AS distance
        FROM public.dim_company d
        ORDER BY d.normalized_name <-> s.name_norm, d.business_reg_num, d.addr_key
        LIMIT {KNN_TOPK}
    ) k
    WHERE char_length(s.name_norm) >= 3
      AND NOT EXISTS (SELECT 1 FROM brn WHERE brn.raw_id = s.raw_id)
      AND NOT EXISTS (SELECT 1 FROM alias WHERE alias.raw_id = s.raw_id)
), scored AS (
    SELECT c.raw_id, c.company_id, c.rule, c.sim,
           (s.industry_code IS NOT NULL AND s.industry_code = d.industry_code) AS industry_match,
           (s.addr_sigungu_code IS NOT NULL AND s.addr_sigungu_code = split_part(d.addr_key, '-', 1)) AS addr_match,
           d.business_reg_num AS d_brn, d.addr_key AS d_addr
    FROM (SELECT * FROM brn UNION ALL SELECT * FROM alias UNION ALL SELECT * FROM knn) c
    JOIN stg_pension_month s USING (raw_id) JOIN public.dim_company d ON d.company_id = c.company_id
)
SELECT raw_id, company_id, rule, sim, industry_match, addr_match,
       CASE WHEN rule = '{BRN_RULE}'
            THEN least(1, sim + 0.10 * industry_match::int + 0.10 * addr_match::int)
            ELSE greatest(0, least(1, sim + 0.20 * industry_match::int + 0.20 * addr_match::int)) END AS score,
       row_number() OVER (PARTITION BY raw_id ORDER BY
            CASE WHEN rule = '{BRN_RULE}' THEN least(1, sim + 0.10 * industry_match::int + 0.10 * addr_match::int)
                 ELSE greatest(0, least(1, sim + 0.20 * industry_match::int + 0.20 * addr_match::int)) END DESC,
            rule, d_brn, d_addr) AS rn
FROM scored
"""

# One outcome per raw row from its best candidate. The guard: a BRN match is accepted only
# when address and industry agree too; otherwise it goes to review.
DECIDE = f"""
CREATE TEMP TABLE stg_decisions ON COMMIT DROP AS
SELECT s.raw_id, c.company_id, c.rule, c.sim, c.score, c.industry_match, c.addr_match,
       CASE WHEN c.raw_id IS NULL THEN 'unmatched'
            WHEN c.score >= {AUTO_ACCEPT} AND (c.rule <> '{BRN_RULE}' OR (c.industry_match AND c.addr_match)) THEN 'accepted'
            WHEN c.score >= {REVIEW_FLOOR} THEN 'review'
            ELSE 'reject' END AS outcome
FROM stg_pension_month s LEFT JOIN stg_candidates c ON c.raw_id = s.raw_id AND c.rn = 1
"""

WRITE_MONTH = [
    # audit: the month's raw rows keep only their latest decision
    "DELETE FROM public.match_audit_log WHERE raw_id IN (SELECT raw_id FROM stg_pension_month)",
    f"""INSERT INTO public.match_audit_log (run_uuid, raw_id, candidate_company_id, rule, sim_name, addr_match,
            industry_match, score, decided, decided_company_id, details)
        SELECT %(run_uuid)s, c.raw_id, c.company_id, c.rule, c.sim, c.addr_match, c.industry_match, c.score,
               CASE WHEN c.rn = 1 AND d.outcome = 'accepted' THEN 'ACCEPTED'
                    WHEN c.rn = 1 AND d.outcome = 'review' THEN 'REVIEW' ELSE 'REJECTED_TOPK' END,
               CASE WHEN c.rn = 1 AND d.outcome = 'accepted' THEN c.company_id END,
               jsonb_build_object('rn', c.rn)
        FROM stg_candidates c JOIN stg_decisions d USING (raw_id) WHERE c.rn <= {TOP_AUDIT_K}""",
    """INSERT INTO public.match_review_queue (raw_id, top_candidate_company_id, score, name_norm, addr_key, industry_code)
        SELECT d.raw_id, d.company_id, d.score, s.name_norm, s.addr_key, s.industry_code
        FROM stg_decisions d JOIN stg_pension_month s USING (raw_id) WHERE d.outcome = 'review'
        ON CONFLICT (raw_id) DO UPDATE SET top_candidate_company_id = EXCLUDED.top_candidate_company_id,
            score = EXCLUDED.score, name_norm = EXCLUDED.name_norm, addr_key = EXCLUDED.addr_key,
            industry_code = EXCLUDED.industry_code""",
    f"""INSERT INTO public.company_alias (company_id, alias, normalized_alias, alias_canonical, source, quality)
        SELECT DISTINCT ON (d.company_id, s.name_norm) d.company_id, btrim(s.company_name), s.name_norm,
               public.nps_canonicalize_company_name(s.company_name), %(source)s,
               CASE WHEN d.rule = '{BRN_RULE}' OR d.rule = 'ALIAS_EQ' THEN 'exact' ELSE 'high_conf' END
        FROM stg_decisions d JOIN stg_pension_month s USING (raw_id)
        WHERE d.outcome = 'accepted' AND s.name_norm <> ''
          AND (d.rule IN ('{BRN_RULE}', 'ALIAS_EQ') OR (d.rule = 'NAME_KNN' AND d.sim >= 0.95))
        ORDER BY d.company_id, s.name_norm, btrim(s.company_name)
        ON CONFLICT (company_id, normalized_alias) DO UPDATE SET
            alias = least(company_alias.alias, EXCLUDED.alias),
            alias_canonical = least(company_alias.alias_canonical, EXCLUDED.alias_canonical)""",
    "DELETE FROM public.fact_pension_monthly WHERE ym = %(ym)s",
    """INSERT INTO public.fact_pension_monthly (company_id, ym, subscriber_count, monthly_notice_amount,
            new_subscribers, lost_subscribers)
        SELECT d.company_id, s.ym, sum(s.subscriber_count), sum(s.monthly_notice_amount), sum(s.new_subscribers),
               sum(s.lost_subscribers)
        FROM stg_decisions d JOIN stg_pension_month s USING (raw_id) WHERE d.outcome = 'accepted'
        GROUP BY d.company_id, s.ym""",
    """INSERT INTO public.company_rollup (company_id, rollup_id, method)
        SELECT DISTINCT company_id, company_id, 'identity' FROM public.fact_pension_monthly WHERE ym = %(ym)s
        ON CONFLICT (company_id) DO NOTHING""",
    "DELETE FROM public.fact_pension_monthly_rollup WHERE ym = %(ym)s",
    """INSERT INTO public.fact_pension_monthly_rollup (rollup_id, ym, subscriber_count, monthly_notice_amount,
            new_subscribers, lost_subscribers)
        SELECT r.rollup_id, f.ym, sum(f.subscriber_count), sum(f.monthly_notice_amount), sum(f.new_subscribers),
               sum(f.lost_subscribers)
        FROM public.fact_pension_monthly f JOIN public.company_rollup r USING (company_id)
        WHERE f.ym = %(ym)s GROUP BY r.rollup_id, f.ym""",
    "DELETE FROM public.fact_pension_lineage WHERE ym = %(ym)s",
    """INSERT INTO public.fact_pension_lineage (run_uuid, rollup_id, ym, raw_id, company_id)
        SELECT %(run_uuid)s, r.rollup_id, s.ym, d.raw_id, d.company_id
        FROM stg_decisions d JOIN stg_pension_month s USING (raw_id) JOIN public.company_rollup r USING (company_id)
        WHERE d.outcome = 'accepted'""",
]


def pension_months(conn, since=None) -> list:
    """Distinct data months in `pension` (as timestamps), optionally from `since` on."""
    rows = conn.execute(
        "SELECT DISTINCT data_created_ym FROM public.pension WHERE %(since)s::timestamp IS NULL "
        "OR data_created_ym >= %(since)s::timestamp ORDER BY 1",
        {"since": since},
    ).fetchall()
    return [row[0] for row in rows]


def refresh_companies(conn, months: list) -> None:
    conn.execute(REFRESH_COMPANIES, {"months": months})


def match_month(conn, month, run_uuid: str, source: str) -> MonthCounts:
    """Match one month's raw rows (inside the caller's transaction) and replace its facts."""
    conn.execute("SET LOCAL pg_trgm.similarity_threshold = 0.5")
    conn.execute(STAGE, {"month": month})
    conn.execute("ANALYZE stg_pension_month")
    conn.execute(CANDIDATES)
    conn.execute(DECIDE)
    ym = conn.execute("SELECT date_trunc('month', %(m)s::timestamp)::date", {"m": month}).fetchone()[0]
    for statement in WRITE_MONTH:
        conn.execute(statement, {"run_uuid": run_uuid, "ym": ym, "source": source})
    row = conn.execute(
        "SELECT count(*), count(*) FILTER (WHERE outcome = 'accepted'), count(*) FILTER (WHERE outcome = 'review'), "
        "count(*) FILTER (WHERE outcome = 'reject'), count(*) FILTER (WHERE outcome = 'unmatched') FROM stg_decisions"
    ).fetchone()
    return MonthCounts(*[int(v) for v in row])
