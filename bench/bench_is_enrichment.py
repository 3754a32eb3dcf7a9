"""Benchmark: IS enrichment — queue filling and the local fusion worker, against legacy-style baselines.

Run in the is environment: `cd locations/is && ../../scripts/uv.sh run --frozen python ../../bench/bench_is_enrichment.py`
[--posts 10000] [--fuse 1000]. Uses DAG_TEST_POSTGRES_URL's server when set, else an embedded
PostgreSQL; each approach gets a fresh database with the same generated posts (Korean text,
`post_enrichment.text_rev` as the ingest writes it, a third of the posts with an image).

1. Enqueue every post's text-only fusion job. New: `enqueue_text_only`, one set-based statement
   (rev_key in SQL, the ETA hold, the shared ON CONFLICT rule). Baseline: the legacy loop, one
   SELECT of the candidates and then one INSERT … ON CONFLICT per post, committed once.
2. Fuse `--fuse` jobs with the local method (Kiwi nouns by TF-IDF over the newest 2,000 posts, the
   category lexicon). New: `run_fusion_batch` (a short claim, one transaction per result). Baseline:
   the legacy shape, every job claimed and processed inside one transaction holding the row locks.
   Both pay the same Kiwi cost, so the figure shows what the per-result transactions cost.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import time

WORDS = [
    "지하철",
    "퇴근길",
    "고양이",
    "점심",
    "메뉴",
    "날씨",
    "축구",
    "경기",
    "하이라이트",
    "전기차",
    "충전",
    "아파트",
    "가격",
    "인상",
    "정부",
    "발표",
    "뉴스",
    "사진",
    "영상",
    "리뷰",
    "할인",
    "쿠폰",
    "배송",
    "아이폰",
    "갤럭시",
    "배터리",
    "교체",
    "서비스센터",
    "반도체",
    "수출",
    "주식",
    "환율",
    "금리",
    "여행",
    "캠핑",
    "자전거",
    "라면",
    "커피",
    "편의점",
    "택배",
    "회사",
    "연봉",
    "면접",
    "게임",
    "업데이트",
    "노트북",
    "모니터",
    "키보드",
]


def generate(n: int, seed: int = 7) -> list[tuple]:
    rng = random.Random(seed)
    posts = []
    for i in range(n):
        title = " ".join(rng.choices(WORDS, k=5)) + " 관련 글"
        content = ". ".join(" ".join(rng.choices(WORDS, k=8)) + "이 좋네요" for _ in range(6))
        text_rev = hashlib.md5(f"{title}|{content}|[]".encode()).hexdigest()
        posts.append((f"b{i:06d}", title, content, text_rev, i % 3 == 0))
    return posts


def load(url: str, posts: list[tuple]) -> None:
    import psycopg
    from dag_is.lib.ddl_enrichment import ensure_enrichment_schema

    with psycopg.connect(url) as conn:
        ensure_enrichment_schema(conn)
        with conn.cursor().copy(
            'COPY posts (id, post_id, site, board, title, content, "timestamp") FROM STDIN'
        ) as copy:
            for n, (pid, title, content, _, _) in enumerate(posts):
                copy.write_row((pid, pid, "clien", "park", title, content, "2026-11-29T00:00:00+00:00"))
        with conn.cursor().copy("COPY post_enrichment (post_id, text_rev) FROM STDIN") as copy:
            for pid, _, _, text_rev, _ in posts:
                copy.write_row((pid, text_rev))
        with conn.cursor().copy("COPY post_images (post_id, url, url_hash) FROM STDIN") as copy:
            for pid, _, _, _, has_image in posts:
                if has_image:
                    url_ = f"https://img.example/{pid}.jpg"
                    copy.write_row((pid, url_, hashlib.md5(url_.encode()).hexdigest()))
        conn.execute("ANALYZE")


def enqueue_new(url: str) -> float:
    import psycopg
    from dag_is.lib.enrich_enqueue import enqueue_text_only

    with psycopg.connect(url) as conn:
        start = time.perf_counter()
        immediate, held = enqueue_text_only(conn, "pvB", "local", 1_000_000, "P1", 3, False)
        conn.commit()
        elapsed = time.perf_counter() - start
    assert immediate + held > 0
    return elapsed


def enqueue_baseline(url: str) -> float:
    import psycopg

    with psycopg.connect(url) as conn:
        start = time.perf_counter()
        candidates = conn.execute(
            """SELECT p.id, e.text_rev FROM posts p JOIN post_enrichment e ON e.post_id = p.id
               WHERE e.text_rev IS NOT NULL AND (e.image_rev IS NULL OR e.image_rev = 'noimg') ORDER BY p.id"""
        ).fetchall()
        for post_id, text_rev in candidates:
            key = hashlib.md5(f"{text_rev}:noimg::pv=pvB+local".encode()).hexdigest()
            conn.execute(
                """INSERT INTO fusion_jobs (post_id, rev_key, priority, status, next_attempt_at)
                   VALUES (%s, %s, 'P1', 'queued', now())
                   ON CONFLICT (post_id, rev_key) DO UPDATE SET priority = LEAST(fusion_jobs.priority, EXCLUDED.priority),
                       updated_at = now() WHERE fusion_jobs.status <> 'done'""",
                (post_id, key),
            )
        conn.commit()
        return time.perf_counter() - start


def fuse_new(url: str, jobs: int) -> float:
    from dag_is.lib.enrich_fusion import LocalTextMethod, recent_texts, run_fusion_batch
    from dag_is.lib.enrich_text_local import DocumentFrequencies
    from dag_shared.resources.postgres import PostgresResource

    postgres = PostgresResource(url=url)
    try:
        start = time.perf_counter()
        with postgres.connection() as conn:
            method = LocalTextMethod(DocumentFrequencies.of(recent_texts(conn, 2000)))
        report = run_fusion_batch(postgres, method, "pvB", "bench", jobs, 900, 0)
        elapsed = time.perf_counter() - start
    finally:
        postgres.close()
    assert report.done == jobs, report
    return elapsed


def fuse_baseline(url: str, jobs: int) -> float:
    import psycopg
    from dag_is.lib.enrich_fusion import recent_texts
    from dag_is.lib.enrich_text_local import DocumentFrequencies, keywords, lexicon
    from psycopg.types.json import Jsonb

    with psycopg.connect(url) as conn:
        start = time.perf_counter()
        frequencies = DocumentFrequencies.of(recent_texts(conn, 2000))
        picked = conn.execute(
            """SELECT j.post_id, j.rev_key, p.title, p.content FROM fusion_jobs j JOIN posts p ON p.id = j.post_id
               WHERE j.status = 'queued' ORDER BY j.priority, j.created_at LIMIT %s FOR UPDATE OF j SKIP LOCKED""",
            (jobs,),
        ).fetchall()
        for post_id, key, title, content in picked:
            categories = lexicon().categorize(title, content)
            words = keywords(title, content, frequencies)
            conn.execute(
                """UPDATE post_enrichment SET fused_categories = %s, fused_keywords = %s, fused_model = 'local',
                   fused_at = now(), fuse_rev = %s WHERE post_id = %s""",
                (Jsonb(categories), Jsonb(words), key, post_id),
            )
            conn.execute(
                "UPDATE fusion_jobs SET status = 'done' WHERE post_id = %s AND rev_key = %s", (post_id, key)
            )
        conn.commit()
        return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--fuse", type=int, default=1_000)
    args = parser.parse_args()
    from dag_is.lib.enrich_text_local import terms
    from is_bench_env import scratch_databases

    terms("워밍업 문장")  # Kiwi's model loads once per process (about 4 s), outside both timings
    posts = generate(args.posts)
    with scratch_databases(2) as (new_url, old_url):
        load(new_url, posts)
        load(old_url, posts)
        new_enqueue, old_enqueue = enqueue_new(new_url), enqueue_baseline(old_url)
        new_fuse, old_fuse = fuse_new(new_url, args.fuse), fuse_baseline(old_url, args.fuse)
    print(f"posts: {args.posts:,} ({args.posts // 3 + (args.posts % 3 > 0):,} with an image)")
    print(
        f"enqueue, set-based (new):        {new_enqueue:7.3f} s  {args.posts / new_enqueue:10,.0f} jobs/s\n"
        f"enqueue, per-post (baseline):    {old_enqueue:7.3f} s  {args.posts / old_enqueue:10,.0f} jobs/s"
        f"  speed-up {old_enqueue / new_enqueue:.1f}x"
    )
    print(
        f"local fusion, per-result tx (new):   {new_fuse:7.2f} s  {args.fuse / new_fuse:8,.0f} posts/s\n"
        f"local fusion, one locked tx (base):  {old_fuse:7.2f} s  {args.fuse / old_fuse:8,.0f} posts/s"
        f"  (cost of short transactions: {100 * (new_fuse / old_fuse - 1):+.0f}%)"
    )


if __name__ == "__main__":
    main()
