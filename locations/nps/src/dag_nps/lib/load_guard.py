"""The blocking guards of a month's replace, in silver and in `pension` (plain functions, no Dagster).

A month is swapped in only when its staged data passes three guards, evaluated on counts the
digest and the load already have (no extra pass over the rows):

- the data month: most records of the file carry the partition's 자료생성년월 (a file of another
  month under this month's name is refused, not loaded as the few rows that happen to match);
- the quarantine ratio: at most `NPS_QUARANTINE_MAX_RATIO` of the records read were quarantined;
- the row count: at least `NPS_MIN_ROW_SHARE` of the reference rows, which are the month's own
  loaded rows when it is being replaced, else those of the nearest loaded month at most
  `NEIGHBOUR_MONTHS` away (a first load has no reference and is accepted). A real drop passes when
  the operator says so: the digest's run config `allow_shrink: true`, recorded with the month.

A failing guard raises `dag_shared.load_guards.LoadRefused` naming the file and the numbers before
anything is replaced, so silver and `pension` keep the previous month.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dag_shared.load_guards import refuse_other_partition, refuse_ratio, refuse_shrink

NEIGHBOUR_MONTHS = 3
OVERRIDE_HINT = (
    "re-run the digest with the run config "
    '{"ops": {"nps_his_digest": {"config": {"allow_shrink": true}}}} (docs/nps.md, "A month that shrinks")'
)


@dataclass(frozen=True)
class GuardLimits:
    quarantine_max_ratio: float  # NPS_QUARANTINE_MAX_RATIO
    min_row_share: float  # NPS_MIN_ROW_SHARE
    allow_shrink: bool = False  # the operator confirmed a real drop for this run


def month_index(month: str) -> int:
    return int(month[:4]) * 12 + int(month[5:7]) - 1


def reference_month(loaded: Mapping[str, int], month: str) -> tuple[str, int] | None:
    """(month, rows) a new load of `month` is compared with, or None when nothing is comparable.

    The month itself when it is loaded; else the nearest loaded month at most `NEIGHBOUR_MONTHS`
    away, the earlier one on a tie (workplace counts move by about a percent a month, but years
    apart they differ more than any useful share).
    """
    if loaded.get(month):
        return month, loaded[month]
    target = month_index(month)
    near = [
        (abs(month_index(other) - target), month_index(other) > target, other)
        for other, rows in loaded.items()
        if rows and abs(month_index(other) - target) <= NEIGHBOUR_MONTHS
    ]
    if not near:
        return None
    other = min(near)[2]
    return other, loaded[other]


def refuse_month_shrink(
    subject: str, month: str, new_rows: int, loaded: Mapping[str, int], min_share: float, confirmed: bool
) -> bool:
    """Refuse `new_rows` for `month` below `min_share` of its reference in `loaded` (rows per month).

    Returns True when the rows are below the share and pass only because the drop is `confirmed`.
    """
    reference = reference_month(loaded, month)
    if reference is None:
        return False
    other, rows = reference
    compared = "" if other == month else f" (compared with {other}, the nearest loaded month)"
    refuse_shrink(
        f"{subject}{compared}",
        previous_rows=rows,
        new_rows=new_rows,
        min_share=min_share,
        confirmed=confirmed,
        override_hint=OVERRIDE_HINT,
    )
    return new_rows < rows * min_share


def check_digest(
    digest: Any, month: str, file_name: str, loaded: Mapping[str, int], limits: GuardLimits
) -> bool:
    """Guards of the silver replace: `digest` of `file_name` against the rows per month in silver.

    Returns True when the month shrinks below the share and passes only by `allow_shrink`.
    """
    subject = f"{file_name} as data month {month}"
    refuse_other_partition(subject, expected=month, counts=digest.month_counts(month))
    refuse_ratio(
        subject,
        part=len(digest.quarantine),
        whole=digest.rows_read,
        max_ratio=limits.quarantine_max_ratio,
        what="quarantined (NPS_QUARANTINE_MAX_RATIO)",
    )
    return refuse_month_shrink(
        f"{subject} into nps_pension_silver",
        month,
        digest.frame.height,
        loaded,
        limits.min_row_share,
        limits.allow_shrink,
    )


def check_pension(
    stats: Mapping[str, Any] | None, month: str, new_rows: int, loaded: Mapping[str, int], limits: GuardLimits
) -> None:
    """Guards of the `pension` replace: the silver month (its digest statistics) against `pension`.

    `stats` is the month's row of `nps_digest_files`; a drop the operator confirmed at the digest
    (`shrink_confirmed`) is accepted here too, so one override carries the month through.
    """
    stats = stats or {}
    subject = f"{stats.get('file', 'the silver rows')} as data month {month}"
    refuse_ratio(
        subject,
        part=stats.get("rows_quarantined", 0),
        whole=stats.get("rows_read", 0),
        max_ratio=limits.quarantine_max_ratio,
        what="quarantined (NPS_QUARANTINE_MAX_RATIO)",
    )
    refuse_month_shrink(
        f"{subject} into public.pension",
        month,
        new_rows,
        loaded,
        limits.min_row_share,
        limits.allow_shrink or bool(stats.get("shrink_confirmed")),
    )
