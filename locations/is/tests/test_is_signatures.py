"""Signatures: equal to datasketch's MinHash, near-duplicates close in SimHash, media tokens."""

import numpy as np
from dag_is.lib.signatures import (
    NUM_PERM,
    SEED,
    embed_tokens,
    image_tokens,
    minhash_many,
    shingle_hash,
    shingles,
    signatures,
    simhash_many,
    text_hashes,
    token_hash32,
)
from datasketch import MinHash
from hypothesis import given, settings
from hypothesis import strategies as st


def datasketch_minhash(items):
    m = MinHash(
        num_perm=NUM_PERM,
        seed=SEED,
        hashfunc=token_hash32,
    )
    m.update_batch([i.encode() for i in items])
    return m.hashvalues.astype(">u8").tobytes()  # datasketch keeps uint32; stored widened


def test_the_vectorised_minhash_equals_datasketch_for_every_post_of_a_batch():
    sets = [
        shingles("오늘 퇴근길 지하철 대란 사진 있음 2호선 신호 장애"),
        [],
        ["단어"],
        shingles("a b " * 40 + "고양이 고양이"),
    ]
    assert minhash_many(sets) == [datasketch_minhash(s) for s in sets]
    assert all(len(m) == 1024 for m in minhash_many(sets))


def test_tokens_drop_urls_and_symbols_and_keep_hangul_latin_and_digits():
    assert shingles("Hello, 세계! https://x.com/a 12 a") == ["hello", "세계", "12"]
    assert shingles("하나 둘 셋 넷 다섯 여섯") == ["하나", "다섯", "여섯"]  # one-letter tokens are dropped
    words = "하나둘 셋넷 다섯여섯 일곱 여덟 아홉"
    assert shingles(words) == ["하나둘 셋넷 다섯여섯 일곱 여덟", "셋넷 다섯여섯 일곱 여덟 아홉"]


def hamming(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()


def test_a_near_duplicate_is_closer_in_simhash_than_an_unrelated_post():
    base = (
        "서울 지하철 2호선 신호 장애로 퇴근길 승객 수천 명이 30분 넘게 갇혔다 코레일은 복구 중이라고 밝혔다 "
        * 3
    )
    near = base + " 추가 문장"
    other = "고양이가 키보드 위에서 잠들었다 집사는 출근을 포기했다 귀여움이 세상을 구한다 " * 3
    a, b, c = simhash_many([shingles(base), shingles(near), shingles(other)])
    assert hamming(a, b) < hamming(a, c)


def test_gallery_and_embed_tokens():
    assert image_tokens(["https://CDN.x.com/p/a.jpg?s=1", "https://cdn.x.com/q/a.jpg"]) == ["cdn.x.com/a.jpg"]
    embeds = [{"type": "youtube", "videoId": "v1", "url": "u"}, {"type": "twitter", "videoId": "9", "url": "u"},
              {"type": "iframe", "videoId": None, "url": "https://player.vimeo.com/1"}]  # fmt: skip
    assert embed_tokens(embeds) == ["yt:v1", "x:9", "em:player.vimeo.com"]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text(max_size=60), max_size=8))
def test_signatures_of_any_text_have_fixed_sizes(texts):
    result = signatures([{"title": t, "content": t, "images": [], "embeddedContent": []} for t in texts])
    assert len(result) == len(texts)
    for s in result:
        assert len(s.text_simhash64) == 16 and len(s.text_minhash128) == 1024
        int(s.text_simhash64, 16)
    assert np.all(np.frombuffer(result[0].gallery_minhash128, ">u8") == 2**32 - 1) if result else True


def reference_simhash(items):
    votes = [0] * 64
    for item in set(items):
        value = shingle_hash(item)
        for bit in range(64):
            votes[bit] += 1 if (value >> (63 - bit)) & 1 else -1
    return f"{sum(1 << (63 - bit) for bit in range(64) if votes[bit] > 0):016x}"


def test_batches_larger_than_one_chunk_give_each_post_its_own_signature():
    sets = [
        [f"단어{i} 번호{j}" for j in range(i * 7 % 400)] for i in range(60)
    ]  # ~12,000 shingles, some empty
    assert simhash_many(sets) == [reference_simhash(s) for s in sets]
    assert minhash_many(sets) == [datasketch_minhash(s) for s in sets]


def test_the_batched_text_hashes_are_the_hashes_of_the_documented_shingles():
    texts = [
        "서울 지하철 2호선 신호 장애로 퇴근길 승객 수천 명이 갇혔다 https://x.com/a 2호선 신호 장애로",
        "짧은 글",
        "",
    ]
    lengths, hashes = text_hashes(texts)
    expected = [sorted({shingle_hash(s) for s in shingles(t)}) for t in texts]
    assert lengths.tolist() == [len(e) for e in expected]
    assert sorted(hashes[: lengths[0]].tolist()) == expected[0]
    assert sorted(hashes[lengths[0] :].tolist()) == expected[1]


@settings(max_examples=300, deadline=None)
@given(
    st.from_regex(
        r"\A((https?:)?//[A-Za-z0-9.:@-]{0,12})?(/[A-Za-z0-9._%-]{0,8}){0,3}([?#][A-Za-z0-9=&/]*)?\Z"
    )
)
def test_image_tokens_are_the_host_and_basename_of_any_url(url):
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    assert image_tokens([url]) == [f"{parts.netloc.lower()}/{parts.path.rsplit('/', 1)[-1]}"]
