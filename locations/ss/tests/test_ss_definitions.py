"""The `ss` location loads on its own and follows the platform conventions."""

from dag_shared.conventions import check_location


def test_definitions_load_and_follow_the_conventions():
    from dag_ss.definitions import defs

    assert check_location("ss", defs) == []
