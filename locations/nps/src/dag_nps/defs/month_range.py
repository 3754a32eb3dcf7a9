"""One run over many months: the single-run backfill policy of the monthly chain and its month loop.

A backfill of the NPS group over a range of months (UI, GraphQL `launchPartitionBackfill`, the
`nps_history_job` partitions page) becomes ONE run: each partitioned asset of the chain (download,
integrity, digest, Postgres append, staging indexes) declares `BACKFILL_POLICY`, so Dagster hands
its step the whole range, and the step walks the months in ascending order, one at a time, holding
one month in memory. After each month the step logs a progress line and records an
`AssetObservation` of that month's partition (status, rows, seconds, position in the range), so
the asset's page shows how far a running backfill has got before the step materializes the range.

A range run is restartable: what each step has finished is recorded by the step itself (the
download ledger, the integrity table, the digest statistics, the Postgres load marks), and a range
step skips a month whose mark matches its input. Re-executing a failed backfill therefore resumes
at the month that failed and never loads a month twice. Single-month runs do not skip: they redo
the month exactly as before this policy existed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import dagster as dg

# One run for any range: the chain's work is sequential per month and its memory is one month's.
BACKFILL_POLICY = dg.BackfillPolicy.single_run()

# Status of one month of a range step.
DONE = "done"
SKIPPED = "skipped"


def walk_months(
    context: dg.AssetExecutionContext,
    months: list[str],
    work: Callable[[str], dict[str, Any]],
) -> list[dict[str, Any]]:
    """Run `work(month)` for each month in order; log and observe each month's outcome.

    `work` returns the month's figures, with `status` DONE or SKIPPED; an exception stops the walk
    (the months before it keep their marks, so a re-run resumes at the failed month).
    """
    results = []
    started = time.perf_counter()
    asset = context.asset_key.to_user_string()
    for position, month in enumerate(months, 1):
        began = time.perf_counter()
        figures = {"month": month, **work(month)}
        figures["seconds"] = round(time.perf_counter() - began, 3)
        results.append(figures)

        detail = ", ".join(f"{k}={v}" for k, v in figures.items() if k not in ("month", "status", "seconds"))
        context.log.info(
            f"{asset} {position}/{len(months)} {month}: {figures['status']} in {figures['seconds']:.1f} s"
            f"{' (' + detail + ')' if detail else ''}; {time.perf_counter() - started:.0f} s into the range"
        )
        context.log_event(
            dg.AssetObservation(
                asset_key=context.asset_key,
                partition=month,
                metadata={
                    **{k: v for k, v in figures.items() if isinstance(v, (int, float, str, bool))},
                    "range_position": f"{position}/{len(months)}",
                    "range": f"{months[0]}..{months[-1]}",
                },
            )
        )
    return results


def range_metadata(results: list[dict[str, Any]], rows_key: str | None = None) -> dict[str, Any]:
    """Materialization metadata of a range step: months done and skipped, per-month figures.

    `rows_key` names the figure each month reports its rows under (skipped months too).
    """
    done = [r["month"] for r in results if r["status"] == DONE]
    skipped = [r["month"] for r in results if r["status"] == SKIPPED]
    metadata: dict[str, Any] = {
        "range": f"{results[0]['month']}..{results[-1]['month']}" if results else "",
        "months": len(results),
        "months_done": len(done),
        "months_skipped": len(skipped),
        "skipped_months": dg.MetadataValue.json(skipped),
        "seconds": round(sum(r["seconds"] for r in results), 3),
        "per_month": dg.MetadataValue.json(results),
    }
    # the rows of the whole range, skipped months included (without rows_key: one row a month)
    total = sum(int(r.get(rows_key, 0)) for r in results) if rows_key else len(results)
    metadata["dagster/row_count"] = dg.MetadataValue.int(total)
    if rows_key:
        metadata[rows_key] = total
    return metadata
