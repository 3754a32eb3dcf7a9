"""Guards that keep a load from replacing good data with a fraction of it.

A partition is swapped in only after its staged data passes these checks; a failing guard raises
`LoadRefused` before anything is replaced, so the previous partition stays as it was and the run
fails with a message naming the input and the numbers. Every location uses the same guards (NPS
months, CD days, and the crawl loads of IS, SS and DS), so a shrink is refused the same way
everywhere and an operator overrides it the same way: by saying the rows are really gone.
"""

from __future__ import annotations

from collections.abc import Mapping


class LoadRefused(Exception):
    """The staged data failed a blocking guard; nothing was replaced."""


def refuse_shrink(
    subject: str,
    *,
    previous_rows: int | None,
    new_rows: int,
    min_share: float,
    confirmed: bool = False,
    override_hint: str = "",
) -> None:
    """Refuse `new_rows` when they are fewer than `min_share` of the `previous_rows` reference.

    `previous_rows` is the size of what the load would replace or of the last loaded partition
    (None or 0 when there is nothing to compare with: a first load is always accepted).
    `confirmed` is the source's or the operator's statement that the drop is real.
    """
    if confirmed or not previous_rows or new_rows >= previous_rows * min_share:
        return
    share = new_rows / previous_rows
    hint = f" If the drop is real, {override_hint}." if override_hint else ""
    raise LoadRefused(
        f"{subject}: {new_rows:,} rows would replace {previous_rows:,} ({share:.1%}, below the "
        f"allowed {min_share:.0%}); the previous data is left untouched.{hint}"
    )


def refuse_ratio(subject: str, *, part: int, whole: int, max_ratio: float, what: str) -> None:
    """Refuse when `part` of `whole` rows (for example quarantined ones) exceeds `max_ratio`."""
    if whole and part / whole > max_ratio:
        raise LoadRefused(
            f"{subject}: {part:,} of {whole:,} rows {what} ({part / whole:.2%}, above the allowed "
            f"{max_ratio:.2%}); the previous data is left untouched."
        )


def refuse_other_partition(subject: str, *, expected: str, counts: Mapping[str, int]) -> None:
    """Refuse when most rows of the input belong to a partition other than `expected`.

    `counts` maps each partition key found in the input (a month, a day) to its row count. A few
    stray rows of another key are left to `refuse_ratio`; an input that is mostly another
    partition's data is the wrong input, whatever it is named.
    """
    if not counts:
        return
    found, rows = max(counts.items(), key=lambda item: (item[1], item[0] == expected))
    if found == expected:
        return
    whole = sum(counts.values())
    raise LoadRefused(
        f"{subject}: {rows:,} of {whole:,} rows belong to {found}, only {counts.get(expected, 0):,} to "
        f"{expected}; this is {found}'s data, not {expected}'s, and the previous data is left untouched."
    )


def refuse_mismatch(
    subject: str,
    *,
    reference: tuple[str, set],
    others: dict[str, set],
    what: str = "keys",
    tolerance: int = 0,
    confirmed: bool = False,
    consequence: str = "the previous data is left untouched",
    override_hint: str = "",
) -> None:
    """Refuse when inputs that must describe the same universe disagree by more than `tolerance` keys.

    `reference` is (name, keys) of the input being loaded, `others` maps each input it is checked
    against (for example a file path) to its keys. The message names every disagreeing input with
    its count and a few of the keys only on one side.
    """
    name, keys = reference
    parts = []
    for other, other_keys in others.items():
        missing, extra = sorted(other_keys - keys), sorted(keys - other_keys)
        if confirmed or len(missing) + len(extra) <= tolerance:
            continue
        detail = [f"{other} has {len(other_keys):,} {what}"]
        if missing:
            detail.append(f"{len(missing):,} not in {name} ({', '.join(map(str, missing[:10]))})")
        if extra:
            detail.append(f"{len(extra):,} of {name} not in it ({', '.join(map(str, extra[:10]))})")
        parts.append(": ".join([detail[0], ", ".join(detail[1:])]))
    if parts:
        hint = f" If {name} is right as it is, {override_hint}." if override_hint else ""
        raise LoadRefused(
            f"{subject}: {name} has {len(keys):,} {what}, but {'; '.join(parts)}; {consequence}.{hint}"
        )
