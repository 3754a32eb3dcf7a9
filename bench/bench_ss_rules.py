"""Benchmark: SS rules extraction throughput (posts/s) on 10,000 generated posts, vs a row-by-row baseline.

Run: ./scripts/uv.sh run --frozen --project locations/ss python bench/bench_ss_rules.py [--posts 10000] [--repeat 3]

New: each post normalised (B4), then `extract_rules` with the dictionary's two matchers compiled
once per run (one alternation per kind, longest alias first, token boundaries in the regex).
Baseline, same posts, same run: the legacy shape of the rules stage — the same normalisation, but
the dictionary applied row by row and alias by alias (a separate search per alias per post, as the
legacy `_detect_with_patterns` loop did when its patterns were rebuilt). Both produce the same
(carrier, model) for every post; the script checks that before printing figures.

The generated posts look like the board: slang and jamo carrier names, spacing variants of model
names, `N만` / `N,NNN원` / `8.9만` prices, day counts, two-offer posts, questions, advertorials,
accessory and repair posts, and words that hide a carrier alias (`마스크`, `스크린`, `gs25`).
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import time
from datetime import UTC, datetime, timedelta

CARRIER_WORDS = [
    "SKT",
    "skt",
    "스크",
    "ㅅㅋ",
    "KT",
    "케이티",
    "ㅋㅌ",
    "LGU+",
    "유플",
    "엘지",
    "알뜰폰",
    "자급제",
]
MODEL_WORDS = [
    "아이폰16 프로", "아이폰 16프맥", "ip16 pro max", "아이폰17", "17 에어", "갤s25u", "S25 울트라", "s25+",
    "폴7", "플립 7", "z fold 7", "a16", "갤럭시 A55", "퀀텀6", "픽셀8", "아이폰 se3", "홍미노트13프로",
]  # fmt: skip
TERMS = ["번이", "기변", "공시", "선약", "현완", "할부", "성지", "택배 개통", "부가 2개", "시세"]
DECOYS = ["마스크 쓰고", "스크린 깨짐", "gs25 택배", "skin 케어", "desk 정리"]
QUESTIONS = ["살지 기다릴지 고민입니다", "이 조건 괜찮을까요?", "추천 부탁드려요"]
ADS = ["카톡 문의 주세요", "네이버 카페 가입 링크 클릭", "상담 예약 받습니다"]


def _price(rng: random.Random) -> str:
    return rng.choice(
        [
            f"현완 {rng.randint(0, 130)}만",
            f"{rng.randint(3, 13)}.{rng.randint(0, 9)}만 요금제 {rng.choice([93, 120, 183])}일",
            f"{rng.choice([33, 69, 89, 109, 115])}요금제 {rng.choice([4, 6, 24])}개월",
            f"할부원금 {rng.randint(100, 1600):,}000원",
            f"페이백 {rng.randint(5, 30)}만",
            f"부가 {rng.choice(['9,900원', '5,500원'])} {rng.randint(1, 3)}개월",
        ]
    )


def generate(count: int, seed: int = 7) -> list[dict]:
    """`count` cleaned posts (the shape `crawl_file.clean_post` returns)."""
    rng = random.Random(seed)
    start = datetime(2025, 11, 20, 5, 0, tzinfo=UTC)
    posts = []
    for number in range(count):
        kind = rng.random()
        parts = [
            rng.choice(CARRIER_WORDS),
            rng.choice(MODEL_WORDS),
            *rng.sample(TERMS, 2),
            _price(rng),
            _price(rng),
        ]
        if kind < 0.1:
            parts = [rng.choice(MODEL_WORDS), rng.choice(QUESTIONS)]
        elif kind < 0.15:
            parts += [rng.choice(ADS), rng.choice(ADS)]
        elif kind < 0.25:
            parts = [rng.choice(DECOYS), "케이스 강화유리", rng.choice(["수리", "AS", "배터리"])]
        elif kind < 0.35:
            parts += [
                "\n2안: " + rng.choice(CARRIER_WORDS) + " " + rng.choice(MODEL_WORDS) + " " + _price(rng)
            ]
        rng.shuffle(parts[:4])
        author = f"user{rng.randint(1, 3000)}"
        comments = [
            {
                "author": rng.choice([author, "행인"]),
                "content": rng.choice(["서울 매장 방문", "택배로 받았어요", "부럽네요"]),
                "replies": [],
            }
            for _ in range(rng.randint(0, 3))
        ]
        posts.append(
            {
                "post_id": str(6_000_000 + number),
                "url": f"https://www.ppomppu.co.kr/zboard/view.php?id=phone&no={6_000_000 + number}",
                "title": " ".join(parts[:3]),
                "author": author,
                "content": "\n".join(parts[3:]),
                "comments": comments,
                "posted_at": start - timedelta(minutes=7 * number),
            }
        )
    return posts


class RowByRowDictionary:
    """The baseline's dictionary: every alias its own pattern, searched one after another per post."""

    def __init__(self, terms: dict[str, list[str]]):
        from dag_ss.lib.keys import term_key
        from dag_ss.lib.matcher import term_regex

        self.patterns = []
        for name, aliases in terms.items():
            for alias in [name, *aliases]:
                key = term_key(alias)
                self.patterns.append((name, key, re.compile(term_regex(key))))

    def first(self, text: str) -> str | None:
        from dag_ss.lib.keys import key_a

        normalised = key_a(text)
        best = None
        for name, key, pattern in self.patterns:
            match = pattern.search(normalised)
            if match and (best is None or (-len(key), match.start()) < (-len(best[1]), best[2])):
                best = (name, key, match.start())
        return best[0] if best else None


def run_new(posts, dictionary) -> list[tuple]:
    from dag_ss.lib.normalize import normalize_post
    from dag_ss.lib.rules import extract_rules

    thresholds = {"advertorial_high": 0.7, "deal_low_score": 0.5}
    out = []
    for post in posts:
        rows = extract_rules(normalize_post(post, 0.7), dictionary, thresholds)
        first = rows[0]["deal"]
        out.append((first["carrier"], first["model"]) if first else None)
    return out


def run_baseline(posts, carriers: RowByRowDictionary, models: RowByRowDictionary) -> list[tuple]:
    from dag_ss.lib.dictionary_seed import SPECIAL_MODEL_TO_CARRIER
    from dag_ss.lib.normalize import normalize_post
    from dag_ss.lib.rules import normalize_carrier

    out = []
    for post in posts:
        row = normalize_post(post, 0.7)
        text = row["text"].casefold()
        model = models.first(text)
        carrier = carriers.first(text) or SPECIAL_MODEL_TO_CARRIER.get(model)
        if carrier is None or model is None:
            out.append(None)
            continue
        segment = re.split(r"(?m)^\s*(?:두번째|둘째|2안|2번째)", text)[0]
        carrier = carriers.first(segment) or carrier
        model = models.first(segment) or model
        carrier = "MVNO" if row["move_type"] == "자급" else normalize_carrier(carrier)
        out.append((carrier, model))
    return out


def main() -> None:
    from dag_ss.lib.dictionary import Dictionary
    from dag_ss.lib.dictionary_seed import CARRIERS, MODELS

    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    posts = generate(args.posts)
    figures: dict[str, list[float]] = {"new": [], "row_by_row": []}
    for _ in range(args.repeat):
        start = time.perf_counter()
        dictionary = Dictionary(carriers=CARRIERS, models=MODELS)  # built per run, as each run loads it
        new = run_new(posts, dictionary)
        figures["new"].append(len(posts) / (time.perf_counter() - start))
        start = time.perf_counter()
        baseline = run_baseline(posts, RowByRowDictionary(CARRIERS), RowByRowDictionary(MODELS))
        figures["row_by_row"].append(len(posts) / (time.perf_counter() - start))
    if new != baseline:
        diff = sum(a != b for a, b in zip(new, baseline, strict=True))
        raise SystemExit(f"the two extractions disagree on {diff} of {len(posts)} posts")
    prefiltered = sum(item is not None for item in new)
    new_rate, base_rate = statistics.median(figures["new"]), statistics.median(figures["row_by_row"])
    print(
        f"posts: {len(posts):,} ({prefiltered:,} pass the dictionary prefilter); median of {args.repeat} runs"
    )
    print(f"rules extraction (boundary lookup):      {new_rate:,.0f} posts/s")
    print(f"row-by-row baseline (alias by alias):    {base_rate:,.0f} posts/s")
    print(f"speed-up: {new_rate / base_rate:.1f}x")


if __name__ == "__main__":
    main()
