"""What the enrichment assets share: cadences (Asia/Seoul crons), tags, metadata, the text method.

Cadences follow spec A10.3: ON2 for the enqueuers, the rollup and the upgrade, every 3 minutes
for the image worker, every 10 for the fusion worker, each with its time zone named (defect A11-38).
"""

from collections.abc import Callable
from typing import Any

import dagster as dg
from dag_shared.resources.llm import OptionalChatModelResource
from dag_shared.resources.postgres import PostgresResource

from dag_is.defs.enrichment_resources import EnrichmentSettings, IsEnrichmentResource

TIMEZONE = "Asia/Seoul"
ON2 = dg.AutomationCondition.on_cron("*/2 * * * *", TIMEZONE)
# Workers drain their queue on every tick, whatever updated: jobs come from ingests, promotions and
# upgrades alike, and a queue left alone never empties.
EVERY3 = (
    dg.AutomationCondition.cron_tick_passed("*/3 * * * *", TIMEZONE).since_last_handled()
    & ~dg.AutomationCondition.in_progress()
).with_label(f"every */3 * * * * ({TIMEZONE})")
EVERY10 = (
    dg.AutomationCondition.cron_tick_passed("4,14,24,34,44,54 * * * *", TIMEZONE).since_last_handled()
    & ~dg.AutomationCondition.in_progress()
).with_label(f"every 4,14,24,34,44,54 * * * * ({TIMEZONE})")
KINDS = {"python", "postgres"}
# An endpoint outage releases the batch due again after `retry_delay_seconds` (15 s by default),
# so the first retry, 30 s later, finds the jobs due.
RETRY = dg.RetryPolicy(max_retries=3, delay=30, backoff=dg.Backoff.EXPONENTIAL)

JOB_COLUMNS = "post_id, priority, status, next_attempt_at, attempts, last_error, updated_at"


def enrichment_tags(tier: str, table: str) -> dict[str, str]:
    return {"data_tier": tier, "domain": "community", "source": "is_enrichment", "table": table}


def job_metadata(conn, table: str, key: str, **extra) -> dict:
    """Row count and preview of a queue table (newest changes last), plus `extra`."""
    from dag_shared.metadata import postgres_query_metadata

    metadata = postgres_query_metadata(
        conn, f"SELECT {key}, {JOB_COLUMNS} FROM {table} ORDER BY updated_at, post_id, {key}"
    )
    for name, value in extra.items():
        metadata[name] = dg.MetadataValue.json(value) if isinstance(value, (dict, list)) else value
    return metadata


# An enqueuer's work: (context, open transaction, settings, method class) → (rows written, metadata).
EnqueueWork = Callable[[dg.AssetExecutionContext, Any, EnrichmentSettings, str], tuple[int, dict]]


def fusion_jobs_asset(
    *, name: str, description: str, deps: list[str] | None = None, tags: dict[str, str] | None = None
) -> Callable[[EnqueueWork], dg.AssetsDefinition]:
    """The asset of a `fusion_jobs` enqueuer (text-only enqueue, image upgrade, front-page promotion).

    The decorated function is the enqueuer's work: it runs after the schema, in one transaction with
    the `fusion_jobs` metadata, and gets the run's enrichment settings and the method class
    (`model` or `local`) its rev_keys target. It returns the rows it wrote and the extra metadata
    naming them. The asset carries `name`; every enqueuer runs on the 2-minute cron.
    """

    def decorate(work: EnqueueWork) -> dg.AssetsDefinition:
        @dg.asset(
            name=name,
            group_name="IS",
            deps=deps,
            kinds=KINDS,
            tags={**enrichment_tags("silver", "fusion_jobs"), **(tags or {})},
            metadata=table_metadata("fusion_jobs"),
            automation_condition=ON2,
            retry_policy=RETRY,
            description=description,
        )
        def enqueuer(
            context: dg.AssetExecutionContext,
            is_postgres: PostgresResource,
            is_enrichment: IsEnrichmentResource,
            is_llm: OptionalChatModelResource,
        ) -> dg.MaterializeResult:
            settings, method = is_enrichment.settings(), method_class(is_llm)
            ensure_tables(is_postgres)
            with is_postgres.transaction() as conn:
                written, extra = work(context, conn, settings, method)
                metadata = job_metadata(conn, "fusion_jobs", "rev_key", **extra)
            metadata["rows_written"] = written
            return dg.MaterializeResult(metadata=metadata)

        return enqueuer

    return decorate


def worker_metadata(postgres, report, query: str, method: str, **extra) -> dict:
    """A worker's result: its table's rows (`query`) and the batch's counts, plus `extra`.

    An endpoint outage fails the step instead, so the retry policy runs it again; the batch has
    already returned its unfinished jobs to the queue.
    """
    from dag_shared.metadata import postgres_query_metadata

    if report.unavailable:
        raise RuntimeError(f"{report.unavailable}; {report.released} jobs returned to the queue")
    with postgres.connection() as conn:
        metadata = postgres_query_metadata(conn, query)
    metadata.update(
        {
            "method": method,
            "rows_written": report.done,
            "picked": report.picked,
            "done": report.done,
            "failed": len(report.failed),
            "reaped": report.reaped,
            "failures": dg.MetadataValue.json(report.failed[:20]),
        }
    )
    metadata.update({k: dg.MetadataValue.json(v) if isinstance(v, list) else v for k, v in extra.items()})
    return metadata


def worker_id(context: dg.AssetExecutionContext, prefix: str) -> str:
    """`<prefix>-<run id 8>-<attempt>`: a lease names the run and the retry that took it."""
    return f"{prefix}-{context.run.run_id[:8]}-{context.retry_number}"


def text_method(postgres, llm, settings):
    """The text model when LLM_BASE_URL is set, else the local method over the newest posts."""
    from dag_is.lib.enrich_fusion import LocalTextMethod, ModelTextMethod, recent_texts

    client = llm.json_client()
    if client is not None:
        return ModelTextMethod(client)
    from dag_is.lib.enrich_text_local import DocumentFrequencies

    def frequencies():
        with postgres.connection() as conn:
            texts = recent_texts(conn, settings.idf_corpus_posts)
        return DocumentFrequencies.of(texts)

    return LocalTextMethod(frequencies)


def method_class(llm) -> str:
    """`model` or `local`: which rev_key tag the fusion targets in this run."""
    from dag_is.lib.enrich_revs import LOCAL, MODEL

    return MODEL if llm.endpoint() is not None else LOCAL


def ensure_tables(postgres) -> None:
    from dag_is.lib.ddl_enrichment import ensure_enrichment_schema

    with postgres.transaction() as conn:
        ensure_enrichment_schema(conn)


def table_schema(table: str) -> dg.TableSchema:
    """`dagster/column_schema` of an ingest or enrichment table, read from its DDL."""
    import re

    from dag_shared.metadata import column_schema

    from dag_is.lib.ddl_enrichment import STATEMENTS
    from dag_is.lib.tables import TABLE_COLUMNS

    columns = TABLE_COLUMNS.get(table)
    if columns is None:
        statement = next(s for s in STATEMENTS if s.startswith(f"CREATE TABLE IF NOT EXISTS {table} ("))
        body = statement.split("(", 1)[1]
        found = (re.match(r"^\s*(\w+)\s+(\w+)", line) for line in body.split("\n"))
        columns = [
            (m[1], m[2]) for m in found if m and m[1] not in ("CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK")
        ]
    return column_schema([c for c, _ in columns], [t for _, t in columns])


def table_metadata(table: str) -> dict:
    return {"dagster/column_schema": table_schema(table), "table_name": f"public.{table}"}
