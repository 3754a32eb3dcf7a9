"""Properties of the in-memory clustering against brute-force references (Hypothesis)."""

import itertools

import numpy as np
from dag_is.lib.clustering import (
    BANDS,
    ROWS,
    SignatureMatrix,
    UnionFind,
    bucket_keys,
    candidate_pairs,
    cluster,
    confirm,
    pair_similarities,
)
from hypothesis import given, settings
from hypothesis import strategies as st


@st.composite
def signature_sets(draw):
    """Few distinct MinHash values, so bands collide often; some posts lack text, images or embeds."""
    n = draw(st.integers(2, 14))
    values = st.integers(0, 3)
    text = np.array(
        draw(st.lists(st.lists(values, min_size=128, max_size=128), min_size=n, max_size=n)), dtype=np.uint64
    )
    base = draw(st.lists(values, min_size=128, max_size=128))
    # some rows copy a common base with a few changes, so confirmed pairs exist too
    for row in range(n):
        if draw(st.booleans()):
            changed = draw(st.sets(st.integers(0, 127), max_size=20))
            text[row] = [text[row][i] if i in changed else base[i] for i in range(128)]
    simhash = np.array(draw(st.lists(st.integers(0, 2**64 - 1), min_size=n, max_size=n)), dtype=np.uint64)
    masks = [np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n))) for _ in range(3)]
    return SignatureMatrix(simhash, text, text.copy(), text[:, ::-1].copy(), *masks)


def brute_force_pairs(sigs: SignatureMatrix) -> set[tuple[int, int]]:
    """Every pair sharing a SimHash chunk or a band, by direct comparison."""
    found = set()
    for i, j in itertools.combinations(range(len(sigs)), 2):
        if sigs.has_text[i] and sigs.has_text[j]:
            for c in range(4):
                if (int(sigs.simhash[i]) >> (16 * c)) & 0xFFFF == (int(sigs.simhash[j]) >> (16 * c)) & 0xFFFF:
                    found.add((i, j))
        for matrix, mask in (
            (sigs.text, sigs.has_text),
            (sigs.gallery, sigs.has_gallery),
            (sigs.embed, sigs.has_embed),
        ):
            if mask[i] and mask[j]:
                for b in range(BANDS):
                    if (matrix[i, b * ROWS : (b + 1) * ROWS] == matrix[j, b * ROWS : (b + 1) * ROWS]).all():
                        found.add((i, j))
    return found


@settings(max_examples=40, deadline=None)
@given(signature_sets())
def test_lsh_candidates_equal_the_brute_force_pairs_when_buckets_are_under_the_cap(sigs):
    pairs, _ = candidate_pairs(sigs, max_bucket=len(sigs) + 1)
    assert {tuple(p) for p in pairs.tolist()} == brute_force_pairs(sigs)


@settings(max_examples=30, deadline=None)
@given(signature_sets(), st.integers(2, 5))
def test_capped_buckets_give_a_subset_that_still_connects_each_bucket(sigs, cap):
    pairs, _ = candidate_pairs(sigs, max_bucket=cap)
    found = {tuple(p) for p in pairs.tolist()}
    assert found <= brute_force_pairs(sigs)
    keys, posts = bucket_keys(sigs)
    for key in np.unique(keys):
        members = sorted(set(posts[keys == key].tolist()))
        inside = [(a, b) for a, b in found if a in members and b in members]
        index = {m: i for i, m in enumerate(members)}
        groups = components_by_search(len(members), [(index[a], index[b]) for a, b in inside])
        # a capped bucket is linked as a chain of windows: its members stay connected
        assert len(members) < 2 or groups == [list(range(len(members)))]


def components_by_search(n: int, edges: list[tuple[int, int]]) -> list[list[int]]:
    neighbours = {i: set() for i in range(n)}
    for a, b in edges:
        neighbours[a].add(b)
        neighbours[b].add(a)
    seen, out = set(), []
    for start in range(n):
        if start in seen:
            continue
        stack, group = [start], []
        seen.add(start)
        while stack:
            node = stack.pop()
            group.append(node)
            for nxt in neighbours[node] - seen:
                seen.add(nxt)
                stack.append(nxt)
        if len(group) >= 2:
            out.append(sorted(group))
    return sorted(out)


@given(
    st.integers(1, 40).flatmap(
        lambda n: st.tuples(st.just(n), st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1))))
    )
)
def test_union_find_components_equal_a_graph_search(case):
    n, edges = case
    finder = UnionFind(n)
    for a, b in edges:
        finder.union(a, b)
    assert sorted(finder.components()) == components_by_search(n, edges)


@settings(max_examples=30, deadline=None)
@given(signature_sets())
def test_cluster_components_are_the_components_of_confirmed_brute_force_pairs(sigs):
    result = cluster(sigs, max_bucket=len(sigs) + 1)
    pairs = np.array(sorted(brute_force_pairs(sigs)) or np.zeros((0, 2)), dtype=np.int64).reshape(-1, 2)
    kinds, _ = confirm(*pair_similarities(sigs, pairs))
    confirmed = [tuple(p) for p, k in zip(pairs.tolist(), kinds.tolist()) if k >= 0]
    assert sorted(result.components) == components_by_search(len(sigs), confirmed)


def test_posts_without_text_never_match_on_text():
    n = 5
    same = np.full((n, 128), 7, dtype=np.uint64)
    no = np.zeros(n, dtype=bool)
    sigs = SignatureMatrix(np.zeros(n, dtype=np.uint64), same, same, same, no, no, no)
    assert candidate_pairs(sigs)[0].shape == (0, 2)
    assert cluster(sigs).components == []
