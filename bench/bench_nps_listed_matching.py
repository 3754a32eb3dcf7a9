"""Benchmark: matching 2,800 listed companies against 600,000 NPS workplaces, vs a per-company query loop.

Run: uv run --project locations/nps python bench/bench_nps_listed_matching.py [--workplaces 600000] [--listed 2800]

Setup (not timed): the SaaS layer's tables and name functions (`ensure_saas_tables`), the
product's tables and index (`ensure_listed_tables`, as after a first run), then
`dim_company` filled with synthetic workplaces (names from the NPS sample's stems, legal forms before
or after, registration numbers, one month of facts and identity rollups). 2,000 of the listed
companies have one to three workplaces under their exact name (same registration number), 200 Latin
names are registered in Hangul (found through CD's reading), the rest have none.

New: `dag_nps.lib.listed_matching.build` (the asset's body): keys, prefix candidates in one SQL
statement, the rules in Python, trigram neighbours for the rest, rollups, the monthly table, all in
one transaction; timed whole and for its matching part. Baseline, same run and data: the loop a
first version would write, one round trip per listed company: its exact name, then its prefix
candidates, then the trigram neighbours when nothing was found (the matching part only, no writes).
Peak memory is Python's (tracemalloc) for each approach; the Postgres server's is not counted.
Uses NPS_POSTGRES_URL when set, else an embedded PostgreSQL in a temporary folder.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import tracemalloc
from datetime import date
from pathlib import Path

STEMS = ("한빛", "대한", "우리", "미래", "새솔", "하나", "동방", "서울", "부산", "태평양", "한강", "누리", "청솔",
         "가온", "다온", "해오름", "백두", "금강", "한결", "두레", "세종", "으뜸", "푸른", "소망", "정도", "제일")  # fmt: skip
LISTED_TRADES = (
    "전자",
    "건설",
    "제약",
    "화학",
    "중공업",
    "바이오",
    "반도체",
    "증권",
    "식품",
    "통신",
    "에너지",
    "소재",
)
WORK_TRADES = (
    "상사",
    "기업",
    "산업",
    "통상",
    "물산",
    "유통",
    "무역",
    "개발",
    "기획",
    "엔지니어링",
    "테크",
    "솔루션",
)
LATIN = ("KT", "LX", "SGC", "HDC", "DB", "OCI", "KCC", "SPC", "GS", "CJ")
READING = {"KT": "케이티", "LX": "엘엑스", "SGC": "에스지씨", "HDC": "에이치디씨", "DB": "디비", "OCI": "오씨아이",
           "KCC": "케이씨씨", "SPC": "에스피씨", "GS": "지에스", "CJ": "씨제이"}  # fmt: skip


def server_url(stack) -> str:
    from dag_shared.embedded_postgres import EmbeddedPostgres, ensure_database, free_port

    configured = os.environ.get("NPS_POSTGRES_URL", "").strip()
    if configured:
        return configured
    server = EmbeddedPostgres(Path(tempfile.mkdtemp(prefix="nps-bench-pg-")) / "data", free_port())
    stack.append(server)
    return ensure_database(server.start(), "nps_bench_listed")


def listed_name(i: int) -> str:
    if i % 14 == 0:  # 200 of 2,800: Latin letters
        return f"{LATIN[i % len(LATIN)]}{STEMS[(i // 14) % 26]}{LISTED_TRADES[(i // 364) % 12]}"
    return f"{STEMS[i % 26]}{STEMS[(i // 26) % 26]}{LISTED_TRADES[(i // 676) % 12]}"


def listed_rows(n: int) -> list[tuple]:
    rows = []
    for i in range(n):
        name = listed_name(i)
        latin = next((p for p in LATIN if name.startswith(p)), None)
        readings = [READING[latin] + name[len(latin) :]] if latin else []
        rows.append(
            (f"id-{i:05d}", name, "KOSPI", f"{i:06d}", date(2020, 1, 2), None, readings, date(2024, 1, 5))
        )
    return rows


def fill(conn, workplaces: int, listed: list[tuple]) -> None:
    from dag_nps.lib.saas_ddl import ensure_saas_tables

    ensure_saas_tables(conn)
    conn.execute("TRUNCATE public.dim_company RESTART IDENTITY CASCADE")
    stems = "ARRAY[" + ", ".join(f"'{s}'" for s in STEMS) + "]"
    trades = "ARRAY[" + ", ".join(f"'{t}'" for t in WORK_TRADES) + "]"
    forms = "ARRAY['주식회사 ', '(주)', '㈜', '', '']"
    conn.execute(
        f"""INSERT INTO public.dim_company (business_reg_num, addr_key, canonical_name, normalized_name, company_types)
        SELECT lpad((i::bigint * 7919 %% 1000000)::text, 6, '0'), (i %% 250)::text || '-' || i::text, n,
               public.nps_normalize_company_name(n), ARRAY['주식회사']
        FROM (SELECT i, ({forms})[1 + i %% 5] || ({stems})[1 + i %% 26] || ({stems})[1 + (i / 26) %% 26]
                     || ({trades})[1 + (i / 676) %% 12] || CASE WHEN i %% 3 = 0 THEN '' ELSE (i %% 97)::text END AS n
              FROM generate_series(1, %(n)s) i) g""",
        {"n": workplaces},
    )
    # 2,000 listed companies registered: 1-3 workplaces each under one registration number.
    registered = []
    for i, row in enumerate(listed[:2000]):
        name = row[6][0] if row[6] else row[1]
        for w in range(1 + i % 3):
            registered.append((f"{100 + i % 900:03d}81{i % 10}", f"L{i}-{w}", f"{name} 주식회사", name))
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO public.dim_company (business_reg_num, addr_key, canonical_name, normalized_name, "
            "company_types) VALUES (%s, %s, %s, public.nps_normalize_company_name(%s), ARRAY['주식회사'])",
            registered,
        )
    conn.execute(
        "INSERT INTO public.fact_pension_monthly (company_id, ym, subscriber_count, monthly_notice_amount, "
        "new_subscribers, lost_subscribers) SELECT company_id, DATE '2022-05-01', 1 + company_id % 300, "
        "(1 + company_id % 300) * 210000, company_id % 5, company_id % 3 FROM public.dim_company"
    )
    conn.execute(
        "INSERT INTO public.company_rollup (company_id, rollup_id, method) SELECT company_id, company_id, 'identity' "
        "FROM public.dim_company"
    )
    conn.execute(
        "INSERT INTO public.fact_pension_monthly_rollup SELECT company_id, ym, subscriber_count, "
        "monthly_notice_amount, new_subscribers, lost_subscribers FROM public.fact_pension_monthly"
    )
    conn.execute("ANALYZE public.dim_company")


def per_company_loop(conn, listed: list[tuple]) -> int:
    """The baseline: one query (or three) per listed company."""
    found = 0
    for row in listed:
        for key_name in [row[1], *row[6]]:
            exact = conn.execute(
                "SELECT company_id FROM public.dim_company WHERE normalized_name = public.nps_normalize_company_name(%s)",
                (key_name,),
            ).fetchall()
            prefix = conn.execute(
                "SELECT company_id, canonical_name FROM public.dim_company "
                "WHERE normalized_name ~>=~ public.nps_normalize_company_name(%s) "
                "AND normalized_name ~<~ (public.nps_normalize_company_name(%s) || chr(1114111))",
                (key_name, key_name),
            ).fetchall()
            if exact or prefix:
                found += 1
                break
        else:
            conn.execute(  # the same neighbour search as the new path, one company at a time
                "SELECT company_id, similarity(normalized_name, k) FROM public.dim_company, "
                "public.nps_normalize_company_name(%s) k WHERE (normalized_name || '') %% k "
                "ORDER BY similarity(normalized_name, k) DESC, company_id LIMIT 3",
                (row[1],),
            ).fetchall()
    return found


def measure(label: str, fn):
    tracemalloc.start()
    start = time.perf_counter()
    value = fn()
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    print(f"{label:<52} {seconds:8.2f} s   peak {peak:7.1f} MiB (Python)")
    return seconds, value


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workplaces", type=int, default=600_000)
    parser.add_argument("--listed", type=int, default=2_800)
    args = parser.parse_args()

    import psycopg
    from dag_nps.lib import listed_matching
    from dag_nps.lib.listed_ddl import ensure_listed_tables
    from dag_nps.lib.listed_rules import decide_all
    from dag_nps.lib.listed_source import ListedCompanies

    stack: list = []
    try:
        url = server_url(stack)
        listed = listed_rows(args.listed)
        with psycopg.connect(url) as conn:
            start = time.perf_counter()
            fill(conn, args.workplaces, listed)
            ensure_listed_tables(conn)  # the trigram stage's GIN index: built once, by the first run
            conn.commit()
            print(
                f"setup: {args.workplaces:,} workplaces (+ registered listed ones), {time.perf_counter() - start:.1f} s"
            )
        product = ListedCompanies(key="bench", day="2024-01-05", rows=listed)

        def matching_only():
            with psycopg.connect(url) as conn, conn.transaction():
                ensure_listed_tables(conn)
                listed_matching.stage_listed(conn, product)
                listed_matching.seed_aliases(conn)
                outcomes = decide_all(listed_matching.candidates(conn))
                listed_matching.trigram_stage(conn, outcomes, [r[0] for r in listed])
                return sum(1 for o in outcomes.values() if o.status == "matched")

        def whole_build():
            with psycopg.connect(url) as conn, conn.transaction():
                return listed_matching.build(conn, product)

        def loop():
            with psycopg.connect(url) as conn:
                conn.execute("SET pg_trgm.similarity_threshold = 0.4")
                return per_company_loop(conn, listed)

        print(f"{args.listed:,} listed companies against {args.workplaces:,} workplaces")
        new_match, matched = measure("new: matching (one set-based pass)", matching_only)
        _, summary = measure("new: whole asset body (matching + rollups + table)", whole_build)
        old_match, found = measure("baseline: per-company query loop (matching only)", loop)
        print(f"matched: new {matched:,} (status matched), baseline {found:,} with a candidate")
        print(f"monthly rows written: {summary.monthly_rows:,}; by status: {summary.by_status}")
        print(f"speed-up of the matching: {old_match / new_match:.1f}x")
    finally:
        for server in stack:
            server.stop()


if __name__ == "__main__":
    sys.exit(main())
