"""Near-duplicate signatures of posts (legacy spec A2 #11), computed for many posts at once.

Text: lowercase, URLs dropped, only Hangul, a–z and 0–9 kept, tokens of 2+ characters, 5-token
shingles (fewer than 5 tokens: the tokens themselves), each distinct shingle counted once. A
shingle's 64-bit hash combines its tokens' blake2b-8 hashes (acc·φ + next, splitmix64 finaliser),
so a batch hashes each distinct token once with blake2b and forms every window with numpy. SimHash
64 over those hashes, stored as 16 hex digits. MinHash with 128 permutations over their upper 32
bits, in datasketch's default "affine32" scheme (MurmurHash3 pre-mix, a·h + b mod 2^32, a odd)
with its parameters for seed 1, so a signature equals datasketch's `MinHash(num_perm=128, seed=1)`
with that hash function; values are stored as 128 big-endian uint64 (1024 bytes). Gallery
MinHash over image tokens `host/basename`, embed MinHash over `yt:<videoId>`, `x:<tweetId>` or `em:<host>`.

Everything after the token hashes (windows, SimHash bit sums, the 128 permutations, per-post
minima) is numpy over all shingles of a batch of posts (legacy defect A11-25: 128 blake2b calls
per shingle in pure Python).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from hashlib import blake2b
from urllib.parse import urlsplit

import numpy as np

NUM_PERM = 128
SEED = 1
SCHEME = "affine32"
SHINGLE = 5
_MAX_HASH = np.uint32((1 << 32) - 1)
_URL = re.compile(r"https?://\S+|www\.\S+")
_URL_PARTS = re.compile(r"^(?:[A-Za-z][A-Za-z0-9+.-]*:)?(?://([^/?#]*))?([^?#]*)")
_TOKEN = re.compile(r"[0-9a-z가-힣]{2,}")
_CHUNK_SHINGLES = 16_384


def _permutations() -> tuple[np.ndarray, np.ndarray]:
    from datasketch import MinHash

    a, b = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME).permutations
    return a.astype(np.uint32), b.astype(np.uint32)


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
    """`host/basename` of each image URL (query and fragment dropped)."""
    found = []
    for url in urls:
        match = _URL_PARTS.match(url)
        host, path = (match[1] or "", match[2] or "") if match else ("", url)
        found.append(f"{host.lower()}/{path.rsplit('/', 1)[-1]}")
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


_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)


def _finalize(values: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: spreads a combination of token hashes over all 64 bits."""
    with np.errstate(over="ignore"):
        values = values ^ (values >> np.uint64(30))
        values = values * _MIX1
        values = values ^ (values >> np.uint64(27))
        values = values * _MIX2
        return values ^ (values >> np.uint64(31))


def _token_hash(token: str) -> int:
    return int.from_bytes(blake2b(token.encode(), digest_size=8).digest(), "big")


def _combined(shingle: str) -> int:
    """A shingle's token hashes combined as acc·φ + next (mod 2^64), before the finaliser."""
    acc = 0
    for token in shingle.split(" "):
        acc = (acc * 0x9E3779B97F4A7C15 + _token_hash(token)) & 0xFFFFFFFFFFFFFFFF
    return acc


def shingle_hash(shingle: str) -> int:
    """The 64-bit hash of one shingle text (tokens joined by spaces); the reference for tests."""
    return int(_finalize(np.array([_combined(shingle)], dtype=np.uint64))[0])


def token_hash32(item: bytes) -> int:
    """The 32-bit value MinHash permutes for a shingle (datasketch `hashfunc` form, for tests)."""
    return shingle_hash(item.decode()) >> 32


def text_hashes(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Per text, the hashes of its distinct shingles: (set sizes, hashes grouped by text in order).

    Each distinct token is hashed with blake2b once per batch; the 5-token windows of every text
    (or its single tokens when it has fewer than 5), their combination, finalisation and
    de-duplication are numpy operations over the whole batch."""
    cache: dict[str, int] = {}
    words = [tokens(text) for text in texts]
    counts = np.fromiter((len(w) for w in words), dtype=np.int64, count=len(words))
    flat = [word for text_words in words for word in text_words]
    for word in flat:
        if word not in cache:
            cache[word] = _token_hash(word)
    values = np.fromiter((cache[w] for w in flat), dtype=np.uint64, count=len(flat))
    owner = np.repeat(np.arange(len(texts)), counts)
    position = np.arange(values.size) - np.repeat(np.cumsum(counts) - counts, counts)
    length = counts[owner]
    window = np.zeros(values.size, dtype=np.uint64)
    span = max(values.size - SHINGLE + 1, 0)
    with np.errstate(over="ignore"):
        window[:span] = values[:span]
        for k in range(1, SHINGLE):
            window[:span] = window[:span] * _GOLDEN + values[k : k + span]
    long_start = (length >= SHINGLE) & (position <= length - SHINGLE)
    short = length < SHINGLE
    hashes = _finalize(np.where(long_start, window, values))[long_start | short]
    owners = owner[long_start | short]
    order = np.lexsort((hashes, owners))
    hashes, owners = hashes[order], owners[order]
    keep = np.ones(hashes.size, dtype=bool)
    keep[1:] = (hashes[1:] != hashes[:-1]) | (owners[1:] != owners[:-1])
    lengths = np.bincount(owners[keep], minlength=len(texts)).astype(np.int64)
    return lengths, hashes[keep]


def _flatten(sets: list[list[str]]) -> tuple[np.ndarray, np.ndarray]:
    """Set sizes and the hashes of each set's distinct items (items are shingle or media tokens)."""
    distinct = [list(dict.fromkeys(items)) for items in sets]
    lengths = np.fromiter((len(items) for items in distinct), dtype=np.int64, count=len(distinct))
    flat = [_combined(item) for items in distinct for item in items]
    return lengths, _finalize(np.array(flat, dtype=np.uint64))


def _fmix32(values: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finaliser, datasketch's pre-mix for the affine schemes."""
    with np.errstate(over="ignore"):
        values = values ^ (values >> np.uint32(16))
        values = values * np.uint32(0x85EBCA6B)
        values = values ^ (values >> np.uint32(13))
        values = values * np.uint32(0xC2B2AE35)
        return values ^ (values >> np.uint32(16))


def _segments(lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Indexes of the non-empty sets and where each starts in the flat array."""
    nonempty = np.flatnonzero(lengths)
    return nonempty, np.concatenate(([0], np.cumsum(lengths)[:-1]))[nonempty]


def minhash_from_hashes(lengths: np.ndarray, hashes: np.ndarray) -> list[bytes]:
    """The 1024-byte MinHash of each set, from its shingles' 64-bit hashes (in set order)."""
    a, b = permutations()
    empty = np.full(NUM_PERM, _MAX_HASH, dtype=">u8").tobytes()
    out: list[bytes] = [empty] * len(lengths)
    tokens = _fmix32(np.right_shift(hashes, np.uint64(32)).astype(np.uint32))
    bounds = np.concatenate(([0], np.cumsum(lengths)))
    start = 0
    while start < len(lengths):
        stop = int(np.searchsorted(bounds, bounds[start] + _CHUNK_SHINGLES, side="right")) - 1
        stop = max(stop, start + 1)
        chunk = tokens[bounds[start] : bounds[stop]]
        if chunk.size:
            # One row per permutation, so each set's minimum is a reduction over contiguous memory.
            with np.errstate(over="ignore"):
                values = a[:, None] * chunk[None, :] + b[:, None]
            nonempty, offsets = _segments(lengths[start:stop])
            minima = np.minimum.reduceat(values, offsets, axis=1).T
            for row, index in zip(minima, nonempty):
                out[start + index] = row.astype(">u8").tobytes()
        start = stop
    return out


def simhash_from_hashes(lengths: np.ndarray, hashes: np.ndarray) -> list[str]:
    """The 64-bit SimHash of each set as 16 hex digits (0 for an empty set)."""
    result = ["0" * 16] * len(lengths)
    if not hashes.size:
        return result
    bits = np.unpackbits(hashes.astype(">u8").view(np.uint8).reshape(-1, 8), axis=1)
    nonempty, offsets = _segments(lengths)
    ones = np.add.reduceat(bits, offsets, axis=0, dtype=np.int32)
    # A bit is set when more shingles vote 1 than 0 (the sum of ±1 votes is positive).
    packed = np.packbits(ones * 2 > lengths[nonempty, None], axis=1)
    for row, index in zip(packed, nonempty):
        result[index] = row.tobytes().hex()
    return result


def minhash_many(sets: list[list[str]]) -> list[bytes]:
    return minhash_from_hashes(*_flatten(sets))


def simhash_many(sets: list[list[str]]) -> list[str]:
    return simhash_from_hashes(*_flatten(sets))


@dataclass(frozen=True)
class Signature:
    text_simhash64: str
    text_minhash128: bytes
    gallery_minhash128: bytes
    embed_minhash128: bytes


def signatures(posts: list[dict]) -> list[Signature]:
    """Signatures of posts (dicts with title, content, images, embeddedContent), in order."""
    lengths, hashes = text_hashes([f"{p.get('title') or ''} {p.get('content') or ''}" for p in posts])
    simhashes = simhash_from_hashes(lengths, hashes)
    text_minhashes = minhash_from_hashes(lengths, hashes)
    gallery = minhash_many([image_tokens(p.get("images") or []) for p in posts])
    embeds = minhash_many([embed_tokens(p.get("embeddedContent") or []) for p in posts])
    return [Signature(*parts) for parts in zip(simhashes, text_minhashes, gallery, embeds)]
