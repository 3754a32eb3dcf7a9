"""Matches CD's listed companies to NPS workplaces and builds `listed_company_pension_monthly`.

One transaction (`build`): stage CD's master, seed the alias table, collect the candidates by
normalized-name prefix on `dim_company` (SQL, the NPS name functions), decide them
(`listed_rules`), try trigram neighbours for the rest, then write the matches and their audit,
point every accepted workplace of a listed company at one rollup (`company_rollup`, method
`listed_company`, so branches and a company's several workplaces are summed), refresh the rollup
facts of the rollups that changed, and replace the monthly table from `fact_pension_monthly_rollup`.
Rollup rows another process decided (`review_approved`) are never overwritten; the asset check
`one_rollup_per_listed_company` reports a company they split. Re-running leaves the same rows.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from dag_nps.lib.listed_ddl import MONTHLY_TABLE, ensure_listed_tables
from dag_nps.lib.listed_rules import (
    ACCEPT_SCORE,
    REVIEW_FLOOR,
    Candidate,
    Outcome,
    decide_all,
    not_a_stock_company,
)
from dag_nps.lib.listed_source import ListedCompanies
from dag_nps.lib.saas_matching import ADDR_KEY

ALIASES_CSV = Path(__file__).with_name("listed_aliases.csv")
METHOD = "listed_company"
KNN_TOPK = 3

KEYS = """
CREATE TEMP TABLE lc_key ON COMMIT DROP AS
SELECT DISTINCT ON (company_id, key) company_id, key, method FROM (
    SELECT company_id, public.nps_normalize_company_name(company_name) AS key, 'name' AS method, 0 AS rank
    FROM public.listed_company
    UNION ALL
    SELECT company_id, public.nps_normalize_company_name(r), 'reading', 1 FROM public.listed_company, unnest(readings) r
    UNION ALL
    SELECT l.company_id, public.nps_normalize_company_name(a.alias), 'alias', 2
    FROM public.listed_company l JOIN public.listed_company_alias a ON a.listed_name = l.company_name
) k WHERE char_length(key) >= 2 ORDER BY company_id, key, rank
"""

# Workplaces whose normalized name starts with a key (a range scan on the text_pattern_ops index),
# with their latest registered name and type from `pension`.
CANDIDATES = f"""
SELECT k.company_id, k.key, k.method, d.company_id, d.business_reg_num,
       coalesce(raw.company_name, d.canonical_name), public.nps_normalize_company_name(coalesce(raw.company_name, d.canonical_name)),
       EXISTS (SELECT 1 FROM generate_series(1, coalesce(array_length(w.words, 1), 1) - 1) i
               WHERE public.nps_normalize_company_name(array_to_string(w.words[1:i], ' ')) = k.key),
       raw.workplace_type, coalesce(d.company_types, '{{}}')
FROM lc_key k
JOIN public.dim_company d ON d.normalized_name ~>=~ k.key AND d.normalized_name ~<~ (k.key || chr(1114111))
LEFT JOIN LATERAL (
    SELECT p.company_name, p.workplace_type FROM public.pension p
    WHERE p.business_reg_num = d.business_reg_num AND {ADDR_KEY} IS NOT DISTINCT FROM d.addr_key
    ORDER BY p.data_created_ym DESC, p.id DESC LIMIT 1
) raw ON true
CROSS JOIN LATERAL (SELECT regexp_split_to_array(btrim(coalesce(raw.company_name, d.canonical_name)), '\\s+') AS words) w
ORDER BY k.company_id, d.company_id, k.method
"""

# Trigram neighbours above REVIEW_FLOOR (`%` with pg_trgm.similarity_threshold set to it), on the
# GIN expression index `idx_dim_company_norm_trgm_gin_listed`.
NEIGHBOURS = f"""
SELECT k.company_id, k.method, n.company_id, n.canonical_name, n.business_reg_num, n.sim, n.company_types
FROM lc_key k CROSS JOIN LATERAL (
    SELECT d.company_id, d.canonical_name, d.business_reg_num, d.company_types,
           round(similarity(d.normalized_name, k.key)::numeric, 4) AS sim
    FROM public.dim_company d WHERE (d.normalized_name || '') %% k.key
    ORDER BY similarity(d.normalized_name, k.key) DESC, d.company_id LIMIT {KNN_TOPK}
) n WHERE k.company_id = ANY(%(ids)s) AND char_length(k.key) >= 3
ORDER BY k.company_id, n.sim DESC, n.company_id
"""

# Every workplace the listed companies claimed this run joins its company's rollup; workplaces this
# process claimed before and no longer does go back to themselves.
ROLLUPS = f"""
CREATE TEMP TABLE lc_rollup ON COMMIT DROP AS
SELECT w.nps_id AS company_id, min(w.nps_id) OVER (PARTITION BY w.listed_id) AS rollup_id
FROM lc_workplace w;
CREATE TEMP TABLE lc_touched ON COMMIT DROP AS
SELECT rollup_id FROM public.company_rollup WHERE method = '{METHOD}' OR company_id IN (SELECT company_id FROM lc_rollup)
UNION SELECT company_id FROM public.company_rollup WHERE method = '{METHOD}'
UNION SELECT rollup_id FROM lc_rollup;
UPDATE public.company_rollup r SET rollup_id = r.company_id, method = 'identity'
WHERE r.method = '{METHOD}' AND r.company_id NOT IN (SELECT company_id FROM lc_rollup);
INSERT INTO public.company_rollup (company_id, rollup_id, method)
SELECT company_id, rollup_id, '{METHOD}' FROM lc_rollup
ON CONFLICT (company_id) DO UPDATE SET rollup_id = EXCLUDED.rollup_id, method = EXCLUDED.method
WHERE public.company_rollup.method IN ('identity', 'identity_full_rebuild', '{METHOD}');
DELETE FROM public.fact_pension_monthly_rollup WHERE rollup_id IN (SELECT rollup_id FROM lc_touched);
INSERT INTO public.fact_pension_monthly_rollup (rollup_id, ym, subscriber_count, monthly_notice_amount,
    new_subscribers, lost_subscribers)
SELECT r.rollup_id, f.ym, sum(f.subscriber_count), sum(f.monthly_notice_amount), sum(f.new_subscribers),
       sum(f.lost_subscribers)
FROM public.fact_pension_monthly f JOIN public.company_rollup r USING (company_id)
WHERE r.rollup_id IN (SELECT rollup_id FROM lc_touched) GROUP BY r.rollup_id, f.ym;
UPDATE public.fact_pension_lineage l SET rollup_id = r.rollup_id FROM public.company_rollup r
WHERE r.company_id = l.company_id AND l.rollup_id IS DISTINCT FROM r.rollup_id
  AND (r.rollup_id IN (SELECT rollup_id FROM lc_touched) OR l.rollup_id IN (SELECT rollup_id FROM lc_touched))
"""

# One row per matched listed company and month, summed over the distinct rollups of its workplaces.
MONTHLY = f"""
INSERT INTO {MONTHLY_TABLE} (company_id, company_name, ym, subscriber_count, new_subscribers, lost_subscribers,
    monthly_notice_amount, match_method, match_score)
SELECT m.company_id, m.company_name, f.ym, sum(f.subscriber_count), sum(f.new_subscribers), sum(f.lost_subscribers),
       sum(f.monthly_notice_amount), m.match_method, m.match_score
FROM public.listed_company_match m
JOIN (SELECT DISTINCT w.listed_id, coalesce(r.rollup_id, w.nps_id) AS rollup_id
      FROM lc_workplace w LEFT JOIN public.company_rollup r ON r.company_id = w.nps_id) u ON u.listed_id = m.company_id
JOIN public.fact_pension_monthly_rollup f ON f.rollup_id = u.rollup_id
WHERE m.status = 'matched'
GROUP BY m.company_id, m.company_name, f.ym, m.match_method, m.match_score
"""


@dataclass
class Summary:
    listed: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    workplaces: int = 0
    monthly_rows: int = 0
    months: list[str] = field(default_factory=list)
    unmatched: list[tuple[str, str, str]] = field(default_factory=list)  # (name, status, reason)


def seed_aliases(conn) -> int:
    with ALIASES_CSV.open(encoding="utf-8", newline="") as handle:
        rows = [(r["listed_name"], r["alias"], r["note"]) for r in csv.DictReader(handle)]
    conn.execute("DELETE FROM public.listed_company_alias WHERE source = 'seed'")
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO public.listed_company_alias (listed_name, alias, source, note) VALUES (%s, %s, 'seed', %s) "
            "ON CONFLICT (listed_name, alias) DO NOTHING",
            rows,
        )
    return len(rows)


def stage_listed(conn, listed: ListedCompanies) -> None:
    conn.execute("DELETE FROM public.listed_company")
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO public.listed_company (company_id, company_name, market, ticker, listing_date, "
            "delisting_date, readings, as_of, source_key) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
            [(*row[:6], list(row[6] or []), row[7], listed.key) for row in listed.rows],
        )


def candidates(conn) -> list[Candidate]:
    conn.execute(KEYS)
    conn.execute("ANALYZE lc_key")
    return [
        Candidate(str(r[0]), r[1], r[2], int(r[3]), r[4], r[5], r[6], bool(r[7]), r[8], tuple(r[9]))
        for r in conn.execute(CANDIDATES).fetchall()
    ]


def trigram_stage(conn, outcomes: dict[str, Outcome], listed_ids: list[str]) -> list[tuple]:
    """Trigram neighbours for the companies nothing was accepted for: accept, review or reject; audit rows."""
    pending = [cid for cid in listed_ids if outcomes.get(cid) is None or outcomes[cid].status == "unmatched"]
    audit = []
    best: dict[str, tuple] = {}
    judged = {(cid, d.candidate.nps_id) for cid, o in outcomes.items() for d in o.decisions}
    conn.execute("SELECT set_config('pg_trgm.similarity_threshold', %s, true)", (str(REVIEW_FLOOR),))
    for cid, method, nps_id, name, brn, sim, types in conn.execute(NEIGHBOURS, {"ids": pending}).fetchall():
        if (cid, nps_id) in judged:  # already decided on its registered name (a dealer stays a dealer)
            continue
        sim = float(sim)
        stock = not_a_stock_company(
            Candidate(cid, "", method, nps_id, brn, name, "", False, None, tuple(types))
        )
        ok = sim >= REVIEW_FLOOR and stock is None
        if ok and (cid not in best or sim > best[cid][2]):
            best[cid] = (nps_id, name, sim, method)
        decision = "review" if ok else "rejected"
        reason = stock or ("" if ok else f"trigram similarity {sim:.2f} below {REVIEW_FLOOR}")
        audit.append((cid, nps_id, name, brn, "trigram", sim, decision, reason))
    for cid in pending:
        outcome = outcomes.setdefault(
            cid, Outcome(reason="no NPS workplace starts with its name, reading or alias")
        )
        if cid in best:
            nps_id, name, sim, method = best[cid]
            if sim >= ACCEPT_SCORE:
                outcome.status, outcome.method, outcome.score, outcome.workplaces = (
                    "matched",
                    "trigram",
                    sim,
                    [nps_id],
                )
                outcome.reason = ""
            else:
                outcome.status, outcome.score = "review", sim
                outcome.reason = f"closest workplace {name!r} (trigram {sim:.2f}) needs a review"
        elif not outcome.decisions:
            outcome.reason = "no NPS workplace with its name, reading, alias or a similar name"
    accepted = {(cid, o.workplaces[0]) for cid, o in outcomes.items() if o.method == "trigram"}
    return [(*a[:6], "accepted" if (a[0], a[1]) in accepted else a[6], a[7]) for a in audit]


def _write_matches(
    conn, names: dict[str, str], outcomes: dict[str, Outcome], trigram_audit: list[tuple]
) -> None:
    conn.execute("DELETE FROM public.listed_company_match")
    conn.execute("DELETE FROM public.listed_company_match_audit")
    conn.execute("CREATE TEMP TABLE lc_workplace (listed_id TEXT, nps_id BIGINT) ON COMMIT DROP")
    rows, audit, workplaces = [], {}, []
    for cid, name in names.items():
        o = outcomes[cid]
        rows.append(
            (
                cid,
                name,
                o.status,
                o.method,
                round(o.score, 4) if o.score else None,
                len(o.workplaces),
                o.reason,
            )
        )
        workplaces += [(cid, w) for w in o.workplaces]
        for d in o.decisions:
            c = d.candidate
            contested = d.reason.startswith(("ambiguous", "claimed"))
            decision = "accepted" if d.accepted else ("ambiguous" if contested else "rejected")
            audit[(cid, c.nps_id)] = (
                cid,
                c.nps_id,
                c.raw_name,
                c.brn,
                d.rule,
                round(d.score, 4),
                decision,
                d.reason,
            )
    for a in trigram_audit:
        audit.setdefault((a[0], a[1]), a)
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO public.listed_company_match (company_id, company_name, status, match_method, match_score, "
            "workplaces, reason) VALUES (%s, %s, %s, %s, %s, %s, %s)",
            rows,
        )
        cur.executemany(
            "INSERT INTO public.listed_company_match_audit (company_id, nps_company_id, workplace_name, "
            "business_reg_num, rule, score, decision, reason) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
            list(audit.values()),
        )
        cur.executemany("INSERT INTO lc_workplace (listed_id, nps_id) VALUES (%s, %s)", workplaces)


def build(conn, listed: ListedCompanies) -> Summary:
    """The whole product in the caller's transaction."""
    ensure_listed_tables(conn)
    stage_listed(conn, listed)
    seed_aliases(conn)
    outcomes = decide_all(candidates(conn))
    names = {str(r[0]): r[1] for r in listed.rows}
    trigram_audit = trigram_stage(conn, outcomes, list(names))
    _write_matches(conn, names, outcomes, trigram_audit)
    for statement in ROLLUPS.split(";\n"):
        conn.execute(statement)
    conn.execute(
        "UPDATE public.listed_company_match m SET rollup_id = r.rollup_id FROM ("
        "SELECT w.listed_id, min(coalesce(c.rollup_id, w.nps_id)) AS rollup_id FROM lc_workplace w "
        "LEFT JOIN public.company_rollup c ON c.company_id = w.nps_id GROUP BY w.listed_id) r "
        "WHERE r.listed_id = m.company_id"
    )
    conn.execute(f"DELETE FROM {MONTHLY_TABLE}")
    monthly = conn.execute(MONTHLY).rowcount
    summary = Summary(listed=len(names), workplaces=sum(len(o.workplaces) for o in outcomes.values()))
    summary.monthly_rows = monthly
    for status, count in conn.execute(
        "SELECT status, count(*) FROM public.listed_company_match GROUP BY 1 ORDER BY 1"
    ).fetchall():
        summary.by_status[status] = count
    summary.months = [
        f"{m:%Y-%m}"
        for (m,) in conn.execute(f"SELECT DISTINCT ym FROM {MONTHLY_TABLE} ORDER BY 1").fetchall()
    ]
    summary.unmatched = conn.execute(
        "SELECT company_name, status, reason FROM public.listed_company_match WHERE status <> 'matched' "
        "ORDER BY status, company_name"
    ).fetchall()
    return summary
