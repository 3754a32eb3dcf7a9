"""The prefetching producer yields everything in order, raises the producer's error, and cleans up."""

from __future__ import annotations

import threading

import pytest
from dag_shared.prefetch import prefetched


def test_every_item_arrives_in_order():
    assert list(prefetched(lambda: iter(range(1000)), depth=3)) == list(range(1000))


def test_an_error_in_the_producer_is_raised_in_the_consumer_after_the_items_before_it():
    def produce():
        yield 1
        yield 2
        raise ValueError("line 3 is broken")

    stream = prefetched(produce)
    assert [next(stream), next(stream)] == [1, 2]
    with pytest.raises(ValueError, match="line 3 is broken"):
        next(stream)


def test_a_consumer_that_stops_early_stops_the_producer_and_discards_what_it_did_not_take():
    produced, discarded = [], []

    def produce():
        for i in range(100):
            produced.append(i)
            yield i

    stream = prefetched(produce, depth=2, discard=discarded.append)
    assert next(stream) == 0
    stream.close()
    assert len(produced) < 100
    assert sorted(discarded) == produced[1:]
    assert not [t for t in threading.enumerate() if t.name == "prefetch"]
