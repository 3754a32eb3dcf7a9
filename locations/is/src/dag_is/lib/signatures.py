"""Near-duplicate signatures of posts (legacy spec A2 #11), computed for many posts at once.

Text: lowercase, URLs dropped, only Hangul, a–z and 0–9 kept, tokens of 2+ characters, 5-token
shingles (fewer than 5 tokens: the tokens themselves). SimHash 64 over blake2b-8 shingle hashes,
stored as 16 hex digits. MinHash with 128 permutations over blake2b-4 shingle hashes, with
datasketch's "legacy" permutation scheme and parameters (seed 1), so a signature equals
datasketch's `MinHash(scheme="legacy")` of the same shingles; packed as 128 big-endian uint64 (1024 bytes). Gallery MinHash over image
tokens `host/basename`, embed MinHash over `yt:<videoId>`, `x:<tweetId>` or `em:<host>`.

Hashing a shingle is one blake2b call; everything after (SimHash bit sums, the 128 permutations
and the per-post minimum) is numpy over all shingles of a batch of posts (legacy defect A11-25:
128 blake2b calls per shingle in pure Python).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from hashlib import blake2b
from urllib.parse import urlsplit

import numpy as np

NUM_PERM = 128
SEED = 1
SHINGLE = 5
_MERSENNE = np.uint64((1 << 61) - 1)
_MAX_HASH = np.uint64((1 << 32) - 1)
_URL = re.compile(r"https?://\S+|www\.\S+")
_TOKEN = re.compile(r"[0-9a-z가-힣]{2,}")
_CHUNK_SHINGLES = 40_000


def _permutations() -> tuple[np.ndarray, np.ndarray]:
    from datasketch import MinHash

    a, b = MinHash(num_perm=NUM_PERM, seed=SEED, scheme="legacy").permutations
    return a.astype(np.uint64), b.astype(np.uint64)


_PERMS: tuple[np.ndarray, np.ndarray] | None = None


def permutations() -> tuple[np.ndarray, np.ndarray]:
    global _PERMS
    if _PERMS is None:
        _PERMS = _permutations()
    return _PERMS


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(_URL.sub(" ", text.lower()))


def shingles(text: str) -> list[str]:
    words = tokens(text)
    if len(words) < SHINGLE:
        return list(dict.fromkeys(words))
    return list(dict.fromkeys(" ".join(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)))


def image_tokens(urls: list[str]) -> list[str]:
    found = []
    for url in urls:
        parts = urlsplit(url)
        found.append(f"{parts.netloc.lower()}/{parts.path.rsplit('/', 1)[-1]}")
    return list(dict.fromkeys(found))


def embed_tokens(embeds: list[dict]) -> list[str]:
    found = []
    for embed in embeds:
        kind = str(embed.get("type") or "").lower()
        video = embed.get("videoId")
        if kind == "youtube" and video:
            found.append(f"yt:{video}")
        elif kind in ("x", "twitter") and video:
            found.append(f"x:{video}")
        else:
            found.append(f"em:{urlsplit(str(embed.get('url') or '')).netloc.lower()}")
    return list(dict.fromkeys(found))


def _hash32(items: list[str]) -> np.ndarray:
    return np.fromiter(
        (int.from_bytes(blake2b(s.encode(), digest_size=4).digest(), "little") for s in items),
        dtype=np.uint64,
        count=len(items),
    )


def _hash64(items: list[str]) -> np.ndarray:
    return np.frombuffer(b"".join(blake2b(s.encode(), digest_size=8).digest() for s in items), dtype=">u8")


def minhash_many(sets: list[list[str]]) -> list[bytes]:
    """The 1024-byte MinHash of each token list (an empty list gives all-maximum values)."""
    a, b = permutations()
    empty = np.full(NUM_PERM, _MAX_HASH, dtype=">u8").tobytes()
    out: list[bytes] = [empty] * len(sets)
    start = 0
    while start < len(sets):
        stop, size = start, 0
        while stop < len(sets) and (size == 0 or size + len(sets[stop]) <= _CHUNK_SHINGLES):
            size += len(sets[stop])
            stop += 1
        batch = sets[start:stop]
        lengths = np.fromiter((len(s) for s in batch), dtype=np.int64, count=len(batch))
        flat = [item for items in batch for item in items]
        if flat:
            hashed = _hash32(flat)
            with np.errstate(over="ignore"):
                values = np.bitwise_and((hashed[:, None] * a[None, :] + b[None, :]) % _MERSENNE, _MAX_HASH)
            nonempty = np.flatnonzero(lengths)
            offsets = np.concatenate(([0], np.cumsum(lengths)[:-1]))[nonempty]
            minima = np.minimum.reduceat(values, offsets, axis=0)
            for row, index in zip(minima, nonempty):
                out[start + index] = row.astype(">u8").tobytes()
        start = stop
    return out


def simhash_many(sets: list[list[str]]) -> list[str]:
    """The 64-bit SimHash of each shingle list as 16 hex digits (0 for an empty list)."""
    lengths = np.fromiter((len(s) for s in sets), dtype=np.int64, count=len(sets))
    flat = [item for items in sets for item in items]
    result = ["0" * 16] * len(sets)
    if not flat:
        return result
    bits = np.unpackbits(_hash64(flat).astype(">u8").view(np.uint8).reshape(-1, 8), axis=1).astype(np.int32)
    votes = bits * 2 - 1
    nonempty = np.flatnonzero(lengths)
    offsets = np.concatenate(([0], np.cumsum(lengths)[:-1]))[nonempty]
    sums = np.add.reduceat(votes, offsets, axis=0)
    packed = np.packbits(sums > 0, axis=1)
    for row, index in zip(packed, nonempty):
        result[index] = row.tobytes().hex()
    return result


@dataclass(frozen=True)
class Signature:
    text_simhash64: str
    text_minhash128: bytes
    gallery_minhash128: bytes
    embed_minhash128: bytes


def signatures(posts: list[dict]) -> list[Signature]:
    """Signatures of posts (dicts with title, content, images, embeddedContent), in order."""
    texts = [shingles(f"{p.get('title') or ''} {p.get('content') or ''}") for p in posts]
    simhashes = simhash_many(texts)
    text_minhashes = minhash_many(texts)
    gallery = minhash_many([image_tokens(p.get("images") or []) for p in posts])
    embeds = minhash_many([embed_tokens(p.get("embeddedContent") or []) for p in posts])
    return [Signature(*parts) for parts in zip(simhashes, text_minhashes, gallery, embeds)]
