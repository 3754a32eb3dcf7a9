"""Silver asset `ss_extracted_llm`: the LLM fills the deal terms of every gated rule row.

With no endpoint configured (LLM_BASE_URL empty) the rows stay rules-only and the metadata says
`extraction_mode: rules_only`. A call that raises makes the step fail so Dagster retries it; on
the last attempt the rows whose call still fails are recorded as `failed`, and answers that break
the schema as `invalid`; both are quarantined by `ss_deals_upsert` and counted by the check.
"""

import dagster as dg
from dag_shared.resources.postgres import PostgresResource

from dag_ss.defs.common import SCHEMAS, json_metadata, partition_metadata, tags
from dag_ss.defs.partitions import SS_CRAWL_FILES
from dag_ss.defs.resources import SsLlmResource, SsSettingsResource

LLM_STEP_RETRIES = 2
CHECK = "ss_extracted_llm_answers_valid"


@dg.asset(
    group_name="SS",
    partitions_def=SS_CRAWL_FILES,
    deps=["ss_extracted_rules_based"],
    kinds={"python", "postgres", "openai"},
    tags=tags("silver"),
    metadata={"dagster/column_schema": SCHEMAS["extracted_llm"], "table_name": "extracted_llm"},
    retry_policy=dg.RetryPolicy(max_retries=LLM_STEP_RETRIES, delay=5),
    check_specs=[
        dg.AssetCheckSpec(
            CHECK,
            asset="ss_extracted_llm",
            description="No row of the crawl file was quarantined because the LLM failed or answered outside the schema.",
        )
    ],
    description="OpenAI 호환 엔드포인트(LLM_BASE_URL, LLM_MODEL)로 게이트를 통과한 행의 딜 조건을 strict JSON "
    "스키마(사전의 통신사·모델 목록을 enum으로)로 추출해 규칙 결과의 빈 값(미상 포함)을 채움. 엔드포인트가 "
    "없으면 규칙 추출만(rules_only로 기록).",
)
def ss_extracted_llm(
    context: dg.AssetExecutionContext,
    ss_postgres: PostgresResource,
    ss_settings: SsSettingsResource,
    ss_llm: SsLlmResource,
):
    from dag_ss.lib.llm_client import DealExtractor
    from dag_ss.lib.llm_stage import score_summary
    from dag_ss.lib.pipeline import allowed_lists, extract_with_llm
    from dag_ss.lib.schema import ensure_schema

    key = context.partition_key
    thresholds = ss_settings.thresholds()
    settings = ss_llm.settings()
    last_attempt = context.retry_number >= LLM_STEP_RETRIES
    extractor = None
    with ss_postgres.transaction() as conn:
        ensure_schema(conn)
        if settings is not None:
            carriers, models = allowed_lists(conn)
            extractor = DealExtractor(settings, carriers, models)
        try:
            result = extract_with_llm(conn, key, extractor, thresholds, record_failures=last_attempt)
        finally:
            if extractor is not None:
                extractor.close()
    with ss_postgres.connection() as conn:
        metadata = partition_metadata(conn, "extracted_llm", key, "post_id, segment")
    bad = result.statuses["invalid"] + result.statuses["failed"]
    stats = {
        "extraction_mode": "llm" if settings else "rules_only",
        "llm_model": settings.model if settings else "none (LLM_BASE_URL unset)",
        "statuses": dict(result.statuses),
        "llm_called": result.statuses["called"] + bad,
        "llm_effective": result.statuses["called"],
        "quarantined_by_llm": bad,
        "gate_reasons": dict(result.gate_reasons),
        "gate_samples": result.gate_samples,
        "gate_min_score": thresholds.gate_min_score,
        "deal_candidate_score": {name: score_summary(values) for name, values in result.scores.items()},
        "attempt": context.retry_number + 1,
    }
    if extractor is not None:
        stats["allowed_carriers"] = len(extractor.carriers)
        stats["allowed_models"] = len(extractor.models)
    yield dg.MaterializeResult(metadata={**metadata, **json_metadata(stats), "partition": key})
    yield dg.AssetCheckResult(
        check_name=CHECK,
        passed=bad == 0,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "invalid_answers": result.statuses["invalid"],
            "failed_calls": result.statuses["failed"],
            "errors": dg.MetadataValue.json([{"post_id": p, "error": e} for p, e in result.errors[:10]]),
        },
    )
