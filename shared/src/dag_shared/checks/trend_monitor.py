"""The guidelines' trend monitor (§8, §17) as a factory: a metric against its own recent history.

`trend_monitor(...)` builds an asset check that reads a metric series `(period, value)` from the
warehouse with one SQL query (through the location's `PostgresResource`), takes the latest period
as the current value and the mean of the `window` periods before it as the baseline, and fails
with severity WARN when the relative deviation exceeds `threshold`. The check never blocks the
pipeline: an unusual month or day is a question for a person, not a reason to stop the load.

NPS uses it for the monthly total of insured members, CD for the daily traded value.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import dagster as dg

DEFAULT_WINDOW = 6
DEFAULT_THRESHOLD = 0.15
MIN_HISTORY = 2  # fewer earlier periods than this: no baseline worth comparing with


@dataclass(frozen=True)
class TrendReading:
    period: str | None
    current: float | None
    baseline: float | None
    deviation: float | None
    history: int
    passed: bool
    description: str


def evaluate_trend(
    series: Sequence[tuple[Any, Any]],
    *,
    metric: str,
    window: int = DEFAULT_WINDOW,
    threshold: float = DEFAULT_THRESHOLD,
) -> TrendReading:
    """The latest value of `series` (rows of period, value; any order) against its recent history."""
    points = sorted((period, float(value)) for period, value in series if value is not None)
    if not points:
        return TrendReading(None, None, None, None, 0, True, f"{metric}: no data yet")
    period, current = points[-1]
    earlier = [value for _, value in points[:-1][-window:]]
    label = str(period)
    if len(earlier) < MIN_HISTORY:
        return TrendReading(
            label,
            current,
            None,
            None,
            len(earlier),
            True,
            f"{metric} {label}: {current:,.0f}; {len(earlier)} earlier period(s), need {MIN_HISTORY} for a trend",
        )
    baseline = sum(earlier) / len(earlier)
    deviation = (
        abs(current - baseline) / abs(baseline) if baseline else (0.0 if current == 0 else float("inf"))
    )
    passed = deviation <= threshold
    verdict = "within" if passed else "above"
    return TrendReading(
        label,
        current,
        baseline,
        deviation,
        len(earlier),
        passed,
        f"{metric} {label}: {current:,.0f} deviates {deviation:.1%} from the mean {baseline:,.0f} of the "
        f"previous {len(earlier)} period(s), {verdict} the {threshold:.0%} threshold",
    )


def trend_monitor(
    *,
    asset: str,
    name: str,
    metric: str,
    query: str,
    resource_key: str,
    window: int = DEFAULT_WINDOW,
    threshold: float = DEFAULT_THRESHOLD,
    description: str | None = None,
) -> dg.AssetChecksDefinition:
    """An asset check on `asset` that WARNs when `metric` (rows of `query`) leaves its recent range.

    `query` returns two columns, the period (sortable: a date, a month) and the metric's value for
    that period; the resource under `resource_key` is a `PostgresResource` (`fetch_all`).
    """

    @dg.asset_check(
        asset=asset,
        name=name,
        required_resource_keys={resource_key},
        blocking=False,
        description=description
        or f"{metric}: the latest period against the mean of the previous {window}; WARN above {threshold:.0%}.",
    )
    def _check(context) -> dg.AssetCheckResult:
        rows = getattr(context.resources, resource_key).fetch_all(query)
        reading = evaluate_trend(rows, metric=metric, window=window, threshold=threshold)
        metadata: dict[str, Any] = {
            "metric": dg.MetadataValue.text(metric),
            "period": dg.MetadataValue.text(reading.period or ""),
            "history_periods": dg.MetadataValue.int(reading.history),
            "deviation_threshold": dg.MetadataValue.float(threshold),
        }
        if reading.current is not None:
            metadata["current_value"] = dg.MetadataValue.float(reading.current)
        if reading.baseline is not None:
            metadata["baseline_mean"] = dg.MetadataValue.float(reading.baseline)
        if reading.deviation is not None and reading.deviation != float("inf"):
            metadata["deviation"] = dg.MetadataValue.float(round(reading.deviation, 6))
        return dg.AssetCheckResult(
            passed=reading.passed,
            severity=dg.AssetCheckSeverity.WARN,
            description=reading.description,
            metadata=metadata,
        )

    return _check
