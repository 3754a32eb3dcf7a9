"""Benchmark: IS near-duplicate clustering of 10,000 posts vs a pure-Python per-pair baseline.

Run in the is environment: `cd locations/is && ../../scripts/uv.sh run --frozen python ../../bench/bench_is_cluster.py`
[--posts 10000] [--baseline-posts 1500]. Uses DAG_TEST_POSTGRES_URL's server when set, else an
embedded PostgreSQL.

Generated posts (Korean words, fixed seed): stories posted 1–4 times across the four boards with
small edits, some sharing a gallery or a YouTube video, the rest unique, 5 % empty or very short.
Signatures come from `dag_is.lib.signatures` (not timed).

New, timed: (1) `dag_is.lib.clustering.cluster` in memory (SimHash chunks + MinHash LSH 32×4,
capped buckets, numpy confirmation, union-find); (2) `dag_is.lib.cluster_build.build_clusters`
end to end on Postgres: load the 72-hour scope with signatures, cluster, write clusters and
memberships into an empty database, then the same again (a re-run writes nothing).
Baseline, same run: every pair compared in pure Python (share of equal slots of the 128-value text,
gallery and embed MinHashes, the same A9.1 rules), union-find over confirmed pairs. It runs on the
first `--baseline-posts` posts and is extrapolated to `--posts` by the pair count (n·(n−1)/2),
since its work is one comparison per pair; the script checks that both find the same clusters on
that subset.
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import UTC, datetime, timedelta

NOW = datetime(2026, 11, 29, 6, 0, tzinfo=UTC)
SITES = ("clien", "damoang", "fmkorea", "ppomppu")


def generate(n: int, seed: int = 7) -> list[dict]:
    rng = random.Random(seed)
    vocabulary = [f"단어{i}" for i in range(20_000)]
    posts: list[dict] = []
    while len(posts) < n:
        story = rng.choices(vocabulary, k=rng.randint(30, 120))
        copies = rng.choices((1, 2, 3, 4), weights=(70, 18, 8, 4))[0]
        images = [
            f"https://img.example.com/{rng.randrange(10**9)}.jpg" for _ in range(rng.choice((0, 0, 1, 3)))
        ]
        video = [{"type": "youtube", "videoId": f"v{rng.randrange(10**9)}"}] if rng.random() < 0.1 else []
        for copy in range(copies):
            if len(posts) == n:
                break
            words = list(story)
            for _ in range(rng.randint(0, 3)):  # small edits per copy
                words[rng.randrange(len(words))] = rng.choice(vocabulary)
            text = " ".join(words)
            if rng.random() < 0.05:
                text = rng.choice(("", "ㅋㅋ", "헐 대박"))
            posts.append(
                {
                    "id": f"p{len(posts):06}",
                    "site": SITES[(copy + len(posts)) % 4],
                    "title": "",
                    "content": text,
                    "images": images,
                    "embeddedContent": video,
                    "posted": NOW - timedelta(minutes=rng.randrange(60 * 70)),
                }
            )
    return posts


def load(url: str, posts: list[dict]) -> None:
    import psycopg
    from dag_is.lib.ddl_trends import ensure_gold_schema
    from dag_is.lib.signatures import embed_tokens, image_tokens, signatures

    sigs = signatures(posts)
    with psycopg.connect(url) as conn:
        ensure_gold_schema(conn)
        with conn.cursor().copy(
            'COPY posts (id, post_id, site, board, title, content, "timestamp", like_count, comment_count) FROM STDIN'
        ) as copy:
            for p in posts:
                copy.write_row(
                    (p["id"], p["id"], p["site"], "b", p["title"], p["content"], p["posted"], 0, 0)
                )
        with conn.cursor().copy(
            "COPY post_signatures (post_id, text_simhash64, text_minhash128, gallery_minhash128, embed_minhash128, "
            "image_count, embed_count) FROM STDIN"
        ) as copy:
            for p, s in zip(posts, sigs):
                copy.write_row((p["id"], s.text_simhash64, s.text_minhash128, s.gallery_minhash128,
                                s.embed_minhash128, len(image_tokens(p["images"])),
                                len(embed_tokens(p["embeddedContent"]))))  # fmt: skip


def baseline(scope) -> tuple[float, list[list[int]]]:
    """Every pair in pure Python with the A9.1 rules; returns (seconds, components)."""
    from dag_is.lib import clustering as c

    sigs = scope.sigs
    text = [row.tolist() for row in sigs.text]
    gallery = [row.tolist() for row in sigs.gallery]
    embed = [row.tolist() for row in sigs.embed]
    has_t, has_g, has_e = sigs.has_text.tolist(), sigs.has_gallery.tolist(), sigs.has_embed.tolist()
    n = len(text)
    start = time.perf_counter()
    finder = c.UnionFind(n)

    def same(a, b):
        return sum(1 for x, y in zip(a, b) if x == y) / 128

    for i in range(n):
        for j in range(i + 1, n):
            t = same(text[i], text[j]) if has_t[i] and has_t[j] else 0.0
            g = same(gallery[i], gallery[j]) if has_g[i] and has_g[j] else 0.0
            e = same(embed[i], embed[j]) if has_e[i] and has_e[j] else 0.0
            if (
                (g >= c.GAL_THR and t >= c.TEXT_LO)
                or t >= c.TEXT_THR
                or (e >= c.EMB_THR and (t >= c.EMB_TEXT or g >= c.EMB_GAL))
            ):
                finder.union(i, j)
    return time.perf_counter() - start, finder.components()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--baseline-posts", type=int, default=1_500)
    args = parser.parse_args()
    import psycopg
    from dag_is.lib.cluster_build import build_clusters, load_scope
    from dag_is.lib.clustering import cluster
    from is_bench_env import scratch_databases

    posts = generate(args.posts)
    with scratch_databases(1) as (url,):
        load(url, posts)
        with psycopg.connect(url, autocommit=True) as conn:
            scope = load_scope(conn, NOW)
            start = time.perf_counter()
            cluster(scope.sigs)
            in_memory = time.perf_counter() - start
            start = time.perf_counter()
            with conn.transaction():
                report, stats = build_clusters(conn, NOW)
            end_to_end = time.perf_counter() - start
            start = time.perf_counter()
            with conn.transaction():
                again, _ = build_clusters(conn, NOW)
            rerun = time.perf_counter() - start
            subset = load_scope(conn, NOW)
            keep = list(range(args.baseline_posts))
            subset.sigs = subset.sigs.take(keep)
            base_seconds, base_components = baseline(subset)
            new_components = cluster(subset.sigs).components
    m, n = args.baseline_posts, args.posts
    extrapolated = base_seconds * (n * (n - 1) / 2) / (m * (m - 1) / 2)
    print(f"posts: {n:,} ({stats['text_posts']:,} with enough text), candidate pairs {stats['candidate_pairs']:,}, "
          f"confirmed {stats['confirmed_pairs']:,}, clusters {stats['clusters']:,}, oversized buckets {stats['oversized_buckets']}")  # fmt: skip
    print(f"new, in memory (LSH + numpy + union-find): {in_memory:7.2f} s")
    print(
        f"new, end to end on Postgres (load, cluster, write {report.clusters_created:,} clusters): {end_to_end:7.2f} s"
    )
    print(f"new, re-run (writes {again.memberships_written} memberships): {rerun:7.2f} s")
    print(f"baseline, pure-Python per pair: {base_seconds:7.2f} s for {m:,} posts ({m * (m - 1) // 2:,} pairs); "
          f"extrapolated to {n:,} posts: {extrapolated:,.0f} s")  # fmt: skip
    same = sorted(base_components) == sorted(new_components)
    print(f"same clusters as the baseline on the {m:,}-post subset: {same}")
    print(f"speed-up (in memory vs extrapolated baseline): {extrapolated / in_memory:,.0f}x; "
          f"end to end: {extrapolated / end_to_end:,.0f}x")  # fmt: skip


if __name__ == "__main__":
    main()
