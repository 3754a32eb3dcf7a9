"""Monthly partitions keyed by data month `YYYY-MM`, shared by download, digest, append and the jobs."""

from __future__ import annotations

import re

import dagster as dg

NPS_MONTHS = dg.MonthlyPartitionsDefinition(
    start_date="2015-01", fmt="%Y-%m", timezone="Asia/Seoul", end_offset=0
)

_KEY = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def _checked(key: str) -> str:
    if not _KEY.match(key):
        raise ValueError(f"partition key {key!r} is not a YYYY-MM month")
    return key


def month_key(context: dg.AssetExecutionContext) -> str:
    """The partition key of a run, checked to be a `YYYY-MM` month."""
    return _checked(context.partition_key)


def month_keys(context: dg.AssetExecutionContext) -> list[str]:
    """The months of a step in ascending order: one for a month run, all of a range run's range."""
    return sorted(_checked(key) for key in context.partition_keys)
