"""Near-duplicate detection over post signatures (legacy spec A9.1/A9.2), in memory, with numpy.

Candidates come from buckets: the four 16-bit chunks of the text SimHash (keyed by chunk position),
and MinHash LSH with 32 bands × 4 rows over the text, gallery and embed MinHashes (a 64-bit hash of each
band's four values is the bucket key). Every pair sharing a bucket is a candidate, but a
bucket larger than `max_bucket` links each member (in the given post order) only to its next
`max_bucket - 1` members, so a boilerplate bucket costs linear, not quadratic, time (legacy
defect A11-22); true duplicates share many buckets and still meet. Texts with fewer than
`min_text_tokens` tokens and posts without images or embeds put nothing in the respective buckets
and score 0 there: all empty texts have the same signature and would otherwise "match".

Candidates are confirmed by the estimated Jaccard similarity (share of equal MinHash slots) with
the thresholds of A9.1, and confirmed pairs are joined by union-find into components.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

NUM_PERM = 128
BANDS = 32
ROWS = 4
SIMHASH_CHUNKS = 4

TEXT_THR = 0.75
GAL_THR = 0.80
TEXT_LO = 0.55
EMB_THR = 0.85
EMB_TEXT = 0.50
EMB_GAL = 0.60
MIN_TEXT_TOKENS = 6
MAX_BUCKET = 64
_PAIR_CHUNK = 200_000


@dataclass
class SignatureMatrix:
    """Signatures of n posts as arrays; the `has_*` masks say which parts carry information."""

    simhash: np.ndarray  # (n,) uint64
    text: np.ndarray  # (n, 128) uint64
    gallery: np.ndarray
    embed: np.ndarray
    has_text: np.ndarray  # (n,) bool
    has_gallery: np.ndarray
    has_embed: np.ndarray

    def __len__(self) -> int:
        return int(self.simhash.shape[0])

    def take(self, index: np.ndarray) -> SignatureMatrix:
        return SignatureMatrix(*(getattr(self, name)[index] for name in self.__dataclass_fields__))


def unpack_minhash(blobs: list[bytes]) -> np.ndarray:
    """1024-byte big-endian MinHashes → (n, 128) uint64."""
    if not blobs:
        return np.zeros((0, NUM_PERM), dtype=np.uint64)
    return np.frombuffer(b"".join(blobs), dtype=">u8").reshape(len(blobs), NUM_PERM).astype(np.uint64)


def signature_matrix(
    simhashes: list[str],
    text: list[bytes],
    gallery: list[bytes],
    embed: list[bytes],
    text_tokens: list[int],
    image_counts: list[int],
    embed_counts: list[int],
    min_text_tokens: int = MIN_TEXT_TOKENS,
) -> SignatureMatrix:
    return SignatureMatrix(
        simhash=np.array([int(h, 16) for h in simhashes], dtype=np.uint64),
        text=unpack_minhash(text),
        gallery=unpack_minhash(gallery),
        embed=unpack_minhash(embed),
        has_text=np.array(text_tokens, dtype=np.int64) >= min_text_tokens,
        has_gallery=np.array(image_counts, dtype=np.int64) > 0,
        has_embed=np.array(embed_counts, dtype=np.int64) > 0,
    )


_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def _mix(values: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser (vectorised): a 64-bit key per combination of values."""
    with np.errstate(over="ignore"):
        values = (values ^ (values >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        values = (values ^ (values >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return values ^ (values >> np.uint64(31))


def _band_keys(values: np.ndarray, members: np.ndarray, kind: int) -> np.ndarray:
    """(members, 32) bucket keys: a 64-bit hash of the kind, the band number and its 4 values."""
    rows = values[members].reshape(members.size, BANDS, ROWS)
    with np.errstate(over="ignore"):
        keys = _mix(np.arange(BANDS, dtype=np.uint64) + np.uint64(kind << 8) + _GOLDEN)[None, :]
        for r in range(ROWS):
            keys = _mix(keys * _GOLDEN + rows[:, :, r])
    return keys


def bucket_keys(sigs: SignatureMatrix) -> tuple[np.ndarray, np.ndarray]:
    """All (bucket key, post index) memberships; keys are 64-bit hashes that include the kind of
    bucket (SimHash chunk position, text, gallery or embed band), so kinds never share a bucket."""
    keys: list[np.ndarray] = []
    posts: list[np.ndarray] = []
    text_members = np.flatnonzero(sigs.has_text)
    for chunk in range(SIMHASH_CHUNKS):
        values = (sigs.simhash[text_members] >> np.uint64(16 * chunk)) & np.uint64(0xFFFF)
        keys.append(_mix(values + np.uint64((chunk + 1) << 20)))
        posts.append(text_members)
    for kind, (matrix, mask) in enumerate(
        ((sigs.text, sigs.has_text), (sigs.gallery, sigs.has_gallery), (sigs.embed, sigs.has_embed)), start=1
    ):
        members = np.flatnonzero(mask)
        if members.size:
            keys.append(_band_keys(matrix, members, kind).T.ravel())
            posts.append(np.tile(members, BANDS))
    if not keys:
        return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64)
    return np.concatenate(keys), np.concatenate(posts)


@dataclass
class CandidateStats:
    buckets: int = 0
    oversized_buckets: int = 0
    candidate_pairs: int = 0


def candidate_pairs(sigs: SignatureMatrix, max_bucket: int = MAX_BUCKET) -> tuple[np.ndarray, CandidateStats]:
    """Distinct candidate pairs (i < j) as an (m, 2) array, and bucket statistics."""
    stats = CandidateStats()
    keys, posts = bucket_keys(sigs)
    if not keys.size:
        return np.zeros((0, 2), dtype=np.int64), stats
    order = np.lexsort((posts, keys))  # members of a bucket adjacent, each bucket in post order
    keys, posts = keys[order], posts[order]
    _, sizes = np.unique(keys, return_counts=True)
    stats.buckets = int((sizes >= 2).sum())
    stats.oversized_buckets = int((sizes > max_bucket).sum())
    n = len(sigs)
    found = []
    for distance in range(1, min(max_bucket, int(sizes.max()))):
        same = keys[distance:] == keys[:-distance]
        if not same.any():
            break
        a, b = posts[:-distance][same], posts[distance:][same]
        found.append(np.minimum(a, b) * n + np.maximum(a, b))
    if not found:
        return np.zeros((0, 2), dtype=np.int64), stats
    codes = np.unique(np.concatenate(found))
    codes = codes[codes // n != codes % n]
    stats.candidate_pairs = int(codes.size)
    return np.stack((codes // n, codes % n), axis=1), stats


def jaccard(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Estimated Jaccard similarity of row pairs: the share of equal MinHash slots."""
    return (a == b).mean(axis=1)


def pair_similarities(sigs: SignatureMatrix, pairs: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Text, gallery and embed similarities of pairs; 0 where either side lacks that part."""
    m = pairs.shape[0]
    text, gallery, embed = np.zeros(m), np.zeros(m), np.zeros(m)
    for start in range(0, m, _PAIR_CHUNK):
        i, j = pairs[start : start + _PAIR_CHUNK, 0], pairs[start : start + _PAIR_CHUNK, 1]
        part = slice(start, start + i.size)
        for out, matrix, mask in (
            (text, sigs.text, sigs.has_text),
            (gallery, sigs.gallery, sigs.has_gallery),
            (embed, sigs.embed, sigs.has_embed),
        ):
            both = mask[i] & mask[j]
            values = np.zeros(i.size)
            if both.any():
                values[both] = jaccard(matrix[i[both]], matrix[j[both]])
            out[part] = values
    return text, gallery, embed


MATCH_TYPES = ("both", "text", "embed")


def confirm(text: np.ndarray, gallery: np.ndarray, embed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Match type index (into MATCH_TYPES, -1 = not confirmed) and stored similarity per pair.

    A pair meeting several rules takes the first: `both` (text and gallery agree) is the most
    specific, then `text`, then `embed`."""
    kind = np.full(text.shape, -1, dtype=np.int8)
    similarity = np.zeros(text.shape)
    rules = (
        ((gallery >= GAL_THR) & (text >= TEXT_LO), (gallery + text) / 2),
        (text >= TEXT_THR, text),
        (
            (embed >= EMB_THR) & ((text >= EMB_TEXT) | (gallery >= EMB_GAL)),
            np.maximum(embed, (text + gallery) / 2),
        ),
    )
    for index, (condition, value) in enumerate(rules):
        take = condition & (kind < 0)
        kind[take] = index
        similarity[take] = value[take]
    return kind, similarity


def pair_score(text: np.ndarray, gallery: np.ndarray, embed: np.ndarray) -> np.ndarray:
    """The merge similarity of A9.2: max(text, mean(text, gallery) when both non-zero, embed when
    it is non-zero and text ≥ 0.5 or gallery ≥ 0.6)."""
    score = text.copy()
    both = (text > 0) & (gallery > 0)
    score[both] = np.maximum(score[both], (text[both] + gallery[both]) / 2)
    emb = (embed > 0) & ((text >= EMB_TEXT) | (gallery >= EMB_GAL))
    score[emb] = np.maximum(score[emb], embed[emb])
    return score


class UnionFind:
    """Disjoint sets over 0..n-1 with path halving and union by size."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))
        self.size = [1] * n

    def find(self, x: int) -> int:
        parent = self.parent
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return
        if self.size[ra] < self.size[rb]:
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.size[ra] += self.size[rb]

    def components(self, min_size: int = 2) -> list[list[int]]:
        """Sets of at least `min_size` members, each sorted, ordered by their smallest member."""
        groups: dict[int, list[int]] = {}
        for x in range(len(self.parent)):
            groups.setdefault(self.find(x), []).append(x)
        return sorted((g for g in groups.values() if len(g) >= min_size), key=lambda g: g[0])


@dataclass
class Clustering:
    components: list[list[int]]
    pairs: np.ndarray  # confirmed pairs (i < j)
    kinds: np.ndarray  # match type index per confirmed pair
    similarities: np.ndarray
    stats: dict = field(default_factory=dict)


def cluster(sigs: SignatureMatrix, max_bucket: int = MAX_BUCKET) -> Clustering:
    """Candidates, confirmation and union-find: the components of size ≥ 2 of confirmed pairs."""
    pairs, bucket_stats = candidate_pairs(sigs, max_bucket)
    text, gallery, embed = pair_similarities(sigs, pairs)
    kinds, similarities = confirm(text, gallery, embed)
    keep = kinds >= 0
    confirmed, kinds, similarities = pairs[keep], kinds[keep], similarities[keep]
    finder = UnionFind(len(sigs))
    for a, b in confirmed.tolist():
        finder.union(a, b)
    components = finder.components()
    stats = {
        "posts": len(sigs),
        "text_posts": int(sigs.has_text.sum()),
        "buckets": bucket_stats.buckets,
        "oversized_buckets": bucket_stats.oversized_buckets,
        "candidate_pairs": bucket_stats.candidate_pairs,
        "confirmed_pairs": int(confirmed.shape[0]),
        "confirm_rate": round(confirmed.shape[0] / bucket_stats.candidate_pairs, 4)
        if bucket_stats.candidate_pairs
        else 0.0,
        "clusters": len(components),
        "match_types": {name: int((kinds == i).sum()) for i, name in enumerate(MATCH_TYPES)},
    }
    return Clustering(components, confirmed, kinds, similarities, stats)


def similarity_to(sigs: SignatureMatrix, pairs: np.ndarray) -> np.ndarray:
    """The A9.2 pair score of (member, representative) pairs (1.0 for the representative itself)."""
    if not pairs.size:
        return np.zeros(0)
    scores = pair_score(*pair_similarities(sigs, pairs))
    scores[pairs[:, 0] == pairs[:, 1]] = 1.0
    return scores
