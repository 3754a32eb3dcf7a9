"""Benchmark: IS ingest throughput (posts/s with comments, images, embeds and signatures) vs a legacy-style baseline.

Run in the is environment: `cd locations/is && ../../scripts/uv.sh run --frozen python ../../bench/bench_is_ingest.py`
[--posts 10000] [--baseline-posts 1000]. Uses DAG_TEST_POSTGRES_URL's server when set, else an
embedded PostgreSQL; each approach gets a fresh database.

New: `dag_is.lib.ingest.ingest_document` on a generated crawl file of `--posts` posts (8 comments
with replies, 2 images, a third with a YouTube or X embed each; Korean text): COPY into temporary
tables, one set-based statement per table, numpy signatures, one transaction. Timed: reading and
validating the file plus the ingest, first into an empty database, then re-ingesting the same file.
Baseline, same run, same generator: the legacy approach, one SELECT then INSERT per post (N+1),
per-row inserts for images, embeds, snapshots, versions and text_rev, comments in pages of 500
(legacy execute_values), and signatures with 128 seeded blake2b calls per shingle in pure Python.
The baseline runs `--baseline-posts` posts (it is linear in posts); both rates are posts/s.
Targets: ≥ 10× the baseline and ≥ 2,000 posts/s on 2 cores.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import tempfile
import time
from pathlib import Path

WORDS = [
    "지하철",
    "퇴근길",
    "고양이",
    "점심",
    "메뉴",
    "추천",
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
    "댓글",
    "사진",
    "영상",
    "후기",
    "리뷰",
    "할인",
    "쿠폰",
    "배송",
    "아이폰",
    "갤럭시",
    "배터리",
    "교체",
    "서비스센터",
    "주말",
    "여행",
    "제주도",
    "서울",
    "부산",
    "맛집",
    "카페",
    "커피",
    "라면",
    "국밥",
    "돈까스",
    "영화",
    "드라마",
    "게임",
    "업데이트",
    "버그",
    "패치",
    "회사",
    "출근",
    "야근",
    "월급",
]


def sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)) + rng.choice([".", "!", "?", " ㅋㅋ", " ㅠㅠ"])


def generate(posts: int, seed: int = 11) -> list[dict]:
    from dag_shared.crawler.schema import md5_hex, post_key

    rng = random.Random(seed)
    out = []
    for i in range(posts):
        pid = str(9_000_000 + i)
        content = "\n".join(sentence(rng, rng.randint(6, 20)) for _ in range(rng.randint(2, 8)))
        comments, cid = [], 0
        for _ in range(4):
            cid += 1
            top = {"id": f"ppomppu-hot-{pid}_{cid}", "author": f"u{rng.randint(1, 999)}", "avatar": None,
                   "content": sentence(rng, 6), "timestamp": "2026-11-29T05:40:00Z", "isReply": False, "replies": [],
                   "likeCount": rng.randint(0, 50), "dislikeCount": 0, "reactionCount": None, "raw": None,
                   "html": None, "depth": 0, "parentId": None, "isDeleted": False}  # fmt: skip
            cid += 1
            top["replies"].append({**top, "id": f"ppomppu-hot-{pid}_{cid}", "isReply": True, "replies": [],
                                   "depth": 1, "parentId": top["id"], "content": sentence(rng, 4)})  # fmt: skip
            comments.append(top)
        embeds = []
        if i % 3 == 0:
            vid = hashlib.md5(pid.encode()).hexdigest()[:11]
            embeds.append({"type": "youtube", "url": f"https://www.youtube.com/watch?v={vid}", "provider": "YouTube",
                           "videoId": vid, "thumbnail": f"https://i.ytimg.com/vi/{vid}/hqdefault.jpg", "title": None,
                           "description": None, "mimeType": None})  # fmt: skip
        elif i % 3 == 1:
            embeds.append({"type": "x", "url": f"https://x.com/i/web/status/18{pid}", "provider": "X",
                           "videoId": f"18{pid}", "thumbnail": None, "title": None, "description": None,
                           "mimeType": None})  # fmt: skip
        images = [f"https://cdn.ppomppu.co.kr/zboard/data3/2026/1129/{pid}_{k}.jpg" for k in range(2)]
        out.append({
            "post_id": pid, "id": post_key("ppomppu", "hot", pid), "url": f"https://www.ppomppu.co.kr/zboard/view.php?id=freeboard&no={pid}",
            "site": "ppomppu", "board": "hot", "title": sentence(rng, 5), "author": f"w{i % 500}", "avatar": None,
            "timestamp": "2026-11-29T05:00:00Z", "view_count": rng.randint(10, 90000), "like_count": rng.randint(0, 300),
            "dislike_count": rng.randint(0, 20), "category": "freeboard", "tags": [], "content": content,
            "contentHtml": "<p>" + content.replace("\n", "</p><p>") + "</p>", "content_hash": md5_hex(content),
            "images": images, "embeddedContent": embeds, "crawledAt": "2026-11-29T06:00:00.000Z", "comments": comments,
            "image_count": 2, "embed_count": len(embeds), "comment_count": 8, "isDeleted": False,
        })  # fmt: skip
    return out


def write(posts: list[dict], folder: Path) -> Path:
    meta = {"site": "ppomppu", "board": "hot", "crawled_at": "2026-11-29T06:00:00.000Z", "crawler_version": "bench",
            "total_posts": len(posts), "pages_crawled": 0, "crawl_config": {"mode": "interval"}}  # fmt: skip
    path = folder / f"ppomppu_hot_2026-11-29_06-00-00_interval-48h_{len(posts)}.json"
    path.write_text(json.dumps([{"meta": meta, "posts": posts}], ensure_ascii=False), encoding="utf-8")
    return path


def run_new(url: str, path: Path) -> tuple[float, float]:
    import psycopg
    from dag_is.lib.crawlfile import read_crawl_file
    from dag_is.lib.ingest import ingest_document

    times = []
    with psycopg.connect(url) as conn:
        for _ in range(2):
            start = time.perf_counter()
            document = read_crawl_file(path)
            with conn.transaction():
                ingest_document(conn, document)
            times.append(time.perf_counter() - start)
    return times[0], times[1]


def legacy_minhash(tokens: list[str]) -> bytes:
    values = []
    for seed in range(128):
        key = seed.to_bytes(8, "big")
        values.append(min((int.from_bytes(hashlib.blake2b(t.encode(), digest_size=8, key=key).digest(), "big")
                           for t in tokens), default=2**64 - 1))  # fmt: skip
    return b"".join(v.to_bytes(8, "big") for v in values)


def run_baseline(url: str, path: Path) -> float:
    """The legacy ingest's shape: SELECT then INSERT per post, per-row child writes, pure-Python MinHash."""
    import psycopg
    from dag_is.lib import rows
    from dag_is.lib.ddl import ensure_schema
    from dag_is.lib.signatures import shingles

    start = time.perf_counter()
    document = json.loads(path.read_text(encoding="utf-8"))[0]
    with psycopg.connect(url) as conn, conn.transaction():
        ensure_schema(conn)
        for post in document["posts"]:
            found = conn.execute("SELECT id, content_hash FROM posts WHERE site = %s AND post_id = %s",
                                 (post["site"], post["post_id"])).fetchone()  # fmt: skip
            row = rows.post_row(post, None)
            if found is None:
                conn.execute(f"INSERT INTO posts ({', '.join(rows.POST_COLUMNS[:-1])}) VALUES ({', '.join(['%s'] * 22)})"
                             .replace("timestamp,", '"timestamp",'), row[:-1])  # fmt: skip
            conn.execute("INSERT INTO post_versions (post_id, version, title, content, content_html, content_hash, changed_at) "
                         "VALUES (%s, 1, %s, %s, %s, %s, now()) ON CONFLICT DO NOTHING",
                         (row[0], row[5], row[9], row[10], row[11]))  # fmt: skip
            conn.execute("INSERT INTO post_enrichment (post_id, text_rev) VALUES (%s, %s) ON CONFLICT (post_id) DO UPDATE "
                         "SET text_rev = EXCLUDED.text_rev", (row[0], row[-1]))  # fmt: skip
            comment_rows = [r[1:] for r in rows.comment_rows(post)]
            with conn.cursor() as cur:
                for page in range(0, len(comment_rows), 500):
                    cur.executemany("INSERT INTO post_comments (id, parent_id, root_id, path, depth, author, avatar, content, "
                                    'content_html, raw, "timestamp", like_count, dislike_count, reaction_count, is_deleted, post_id) '
                                    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, '" + row[0] + "') "
                                    "ON CONFLICT (id) DO NOTHING", comment_rows[page : page + 500])  # fmt: skip
            for _, url_, hash_ in rows.image_rows(post):
                conn.execute("INSERT INTO post_images (post_id, url, url_hash) VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
                             (row[0], url_, hash_))  # fmt: skip
                conn.execute("INSERT INTO media_enrichment_jobs (post_id, url_hash, image_url) VALUES (%s, %s, %s) "
                             "ON CONFLICT DO NOTHING", (row[0], hash_, url_))  # fmt: skip
            for e in rows.embed_rows(post):
                conn.execute("INSERT INTO post_embeds (post_id, type, url, url_hash, video_id) VALUES (%s, %s, %s, %s, %s) "
                             "ON CONFLICT DO NOTHING", (row[0], e[1], e[4], e[5], e[6]))  # fmt: skip
            conn.execute('INSERT INTO post_snapshots (post_id, "timestamp", view_count, like_count, dislike_count, '
                         "comment_count) VALUES (%s, now(), %s, %s, %s, %s)", (row[0], row[14], row[15], row[16], row[17]))  # fmt: skip
            text = legacy_minhash(shingles(f"{post['title']} {post['content']}"))
            conn.execute("INSERT INTO post_signatures (post_id, text_simhash64, text_minhash128, gallery_minhash128, "
                         "embed_minhash128, image_count, embed_count) VALUES (%s, %s, %s, %s, %s, %s, %s) "
                         "ON CONFLICT (post_id) DO NOTHING",
                         (row[0], "0" * 16, text, legacy_minhash([]), legacy_minhash([]), 2, 0))  # fmt: skip
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--baseline-posts", type=int, default=1_000)
    args = parser.parse_args()
    from is_bench_env import scratch_databases

    folder = Path(tempfile.mkdtemp(prefix="is-bench-"))
    big = write(generate(args.posts), folder)
    small = write(generate(args.baseline_posts), folder)
    with scratch_databases(2) as (new_url, baseline_url):
        first, again = run_new(new_url, big)
        baseline = run_baseline(baseline_url, small)
    new_rate, baseline_rate = args.posts / first, args.baseline_posts / baseline
    print(
        f"file: {args.posts:,} posts, {args.posts * 8:,} comments, {args.posts * 2:,} images, {big.stat().st_size / 1e6:.1f} MB"
    )
    print(f"new ingest (empty database):  {first:7.2f} s  {new_rate:9,.0f} posts/s")
    print(
        f"new ingest (same file again): {again:7.2f} s  {args.posts / again:9,.0f} posts/s (changes nothing)"
    )
    print(
        f"legacy-style baseline:        {baseline:7.2f} s  {baseline_rate:9,.0f} posts/s ({args.baseline_posts:,} posts)"
    )
    print(f"speed-up: {new_rate / baseline_rate:.1f}x (target >= 10x); new rate target >= 2,000 posts/s")


if __name__ == "__main__":
    main()
