"""The shared load guards refuse shrinking or mostly-bad loads and accept everything else."""

from __future__ import annotations

import pytest
from dag_shared.load_guards import LoadRefused, refuse_other_partition, refuse_ratio, refuse_shrink


def test_a_load_of_a_fraction_of_the_previous_rows_is_refused_with_the_numbers():
    with pytest.raises(LoadRefused, match=r"1,000 rows would replace 2,500 \(40.0%"):
        refuse_shrink("pension 2022-04", previous_rows=2500, new_rows=1000, min_share=0.9)


def test_a_confirmed_drop_a_first_load_and_a_plausible_load_are_accepted():
    refuse_shrink("x", previous_rows=2500, new_rows=1000, min_share=0.9, confirmed=True)
    refuse_shrink("x", previous_rows=None, new_rows=1, min_share=0.9)
    refuse_shrink("x", previous_rows=0, new_rows=1, min_share=0.9)
    refuse_shrink("x", previous_rows=2500, new_rows=2250, min_share=0.9)


def test_the_override_hint_is_part_of_the_refusal():
    with pytest.raises(LoadRefused, match="set NPS_ALLOW_SHRINK=1"):
        refuse_shrink(
            "x", previous_rows=10, new_rows=1, min_share=0.5, override_hint="set NPS_ALLOW_SHRINK=1"
        )


def test_a_ratio_above_the_limit_is_refused_and_one_at_the_limit_is_not():
    refuse_ratio("m", part=1, whole=1000, max_ratio=0.001, what="quarantined")
    with pytest.raises(LoadRefused, match="2 of 1,000 rows quarantined"):
        refuse_ratio("m", part=2, whole=1000, max_ratio=0.001, what="quarantined")
    refuse_ratio("m", part=0, whole=0, max_ratio=0.001, what="quarantined")


def test_an_input_that_is_mostly_another_partition_is_refused_naming_both_partitions():
    with pytest.raises(LoadRefused, match=r"2,499 of 2,500 rows belong to 2022-03, only 1 to 2022-04"):
        refuse_other_partition("f.csv", expected="2022-04", counts={"2022-04": 1, "2022-03": 2499})


def test_an_input_mostly_of_its_own_partition_or_empty_is_accepted():
    refuse_other_partition("f.csv", expected="2022-04", counts={"2022-04": 2499, "2022-03": 1})
    refuse_other_partition("f.csv", expected="2022-04", counts={"2022-04": 5, "2022-03": 5})
    refuse_other_partition("f.csv", expected="2022-04", counts={})


def test_inputs_of_one_universe_that_disagree_are_refused_naming_each_input_and_its_numbers():
    from dag_shared.load_guards import refuse_mismatch

    with pytest.raises(
        LoadRefused, match=r"list.csv has 3 codes, but prices.csv has 5 codes: 2 not in list.csv"
    ):
        refuse_mismatch(
            "d",
            reference=("list.csv", {"a", "b", "c"}),
            others={"prices.csv": {"a", "b", "c", "d", "e"}},
            what="codes",
        )
    refuse_mismatch("d", reference=("l", {"a"}), others={"p": {"a"}})
    refuse_mismatch("d", reference=("l", {"a"}), others={"p": {"a", "b"}}, tolerance=1)
    refuse_mismatch("d", reference=("l", {"a"}), others={"p": {"a", "b"}}, confirmed=True)
