"""The LLM step over one crawl file's rule rows: gate, call, merge, or record why not.

Statuses per row: `called` (the answer was merged), `skipped` (the gate said no; `llm_reason`
says why), `rules_only` (no endpoint configured: the local default), `invalid` (the answer broke
the schema; quarantined with the reason) and `failed` (the call raised on the last attempt;
quarantined). The caller decides between retrying the step and recording failures.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from dag_ss.lib.llm_schema import InvalidAnswer, merge


@dataclass(frozen=True)
class Thresholds:
    gate_min_score: float = 0.0
    advertorial_high: float = 0.7
    deal_low_score: float = 0.5

    def as_dict(self) -> dict[str, float]:
        return {"advertorial_high": self.advertorial_high, "deal_low_score": self.deal_low_score}


def gate_reason(row: dict[str, Any], thresholds: Thresholds) -> str | None:
    """Why the row is not sent to the LLM (None: send it)."""
    if not row["prefilter_passed"]:
        return "prefilter_failed"
    if row["intent"] not in (None, "", "deal"):
        return f"intent_{row['intent']}"
    if not row["deal_candidate"]:
        return "not_deal_candidate"
    if row["deal_candidate_score"] < thresholds.gate_min_score:
        return "score_below_min"
    if (
        row["advertorial_score"] > thresholds.advertorial_high
        and row["deal_candidate_score"] < thresholds.deal_low_score
    ):
        return "advertorial_high_low_score"
    return None


def score_summary(scores: list[float]) -> dict[str, Any]:
    """min, p25, p50, p75, max and a 5-bin histogram over [0, 1] of deal-candidate scores."""
    if not scores:
        return {"n": 0}
    ordered = sorted(scores)

    def quantile(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * (len(ordered) - 1) + 0.5))], 4)

    bins = [0] * 5
    for score in ordered:
        bins[min(int(score * 5), 4)] += 1
    return {
        "n": len(ordered),
        "min": ordered[0],
        "p25": quantile(0.25),
        "p50": quantile(0.5),
        "p75": quantile(0.75),
        "max": ordered[-1],
        "histogram_0_to_1_by_0.2": bins,
    }


@dataclass
class LlmStageResult:
    rows: list[dict[str, Any]] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    gate_reasons: Counter = field(default_factory=Counter)
    gate_samples: dict[str, list[str]] = field(default_factory=dict)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (post_id, error)
    scores: dict[str, list[float]] = field(
        default_factory=lambda: {"all": [], "called": [], "skipped_low": []}
    )


def run_llm_stage(
    rules_rows: list[dict[str, Any]],
    posts: dict[str, dict[str, Any]],
    extractor,
    thresholds: Thresholds,
    record_failures: bool,
) -> LlmStageResult:
    """One row out per rule row. With `record_failures` False the first transport error stops the
    step (raised), so the caller can retry it; with True it is recorded as a `failed` row."""
    result = LlmStageResult()
    for row in rules_rows:
        out = {
            key: row[key]
            for key in (
                "post_id",
                "segment",
                "url",
                "source_posted_at",
                "advertorial_score",
                "prefilter_passed",
                "filtered_reason",
                "deal",
                "flags",
            )
        }
        reason = gate_reason(row, thresholds)
        if row["prefilter_passed"]:
            result.scores["all"].append(row["deal_candidate_score"])
            if reason is None and extractor is not None:
                result.scores["called"].append(row["deal_candidate_score"])
            elif reason in ("score_below_min", "advertorial_high_low_score"):
                result.scores["skipped_low"].append(row["deal_candidate_score"])
        if reason is not None:
            out.update(extraction="rules", llm_status="skipped", llm_reason=reason)
            result.gate_reasons[reason] += 1
            result.gate_samples.setdefault(reason, [])
            if len(result.gate_samples[reason]) < 5:
                result.gate_samples[reason].append(row["post_id"])
        elif extractor is None:
            out.update(extraction="rules", llm_status="rules_only", llm_reason="no LLM endpoint configured")
        else:
            try:
                answer = extractor.extract(posts[row["post_id"]])
            except InvalidAnswer as invalid:
                out.update(extraction="llm", llm_status="invalid", llm_reason=str(invalid))
            except Exception as error:
                if not record_failures:
                    raise
                message = f"llm_error: {type(error).__name__}: {error}"[:500]
                result.errors.append((row["post_id"], message))
                out.update(extraction="llm", llm_status="failed", llm_reason=message)
            else:
                out.update(
                    extraction="llm", llm_status="called", llm_reason=None, deal=merge(row["deal"], answer)
                )
        result.statuses[out["llm_status"]] += 1
        result.rows.append(out)
    return result
