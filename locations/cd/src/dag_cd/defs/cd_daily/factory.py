"""Builds one asset of the daily CD graph from its `Step`, for one sink.

The asset's body opens the sink's `Backend`, passes the partition (and the KRX source and the
load guards' settings where the step takes them) to the step's `lib` function, records the
ledger that the gold guard reads, and turns the `StepResult` into metadata and check results.
KRX steps retry (a live KRX answer may fail transiently); failures that a retry cannot fix
(local snapshot files wrong or missing, a load guard refusing) fail at once with
`dg.Failure(allow_retries=False)`.
"""

from __future__ import annotations

from datetime import date, datetime

import dagster as dg
from dag_shared.load_guards import LoadRefused

from dag_cd.defs.cd_daily.steps import DAY, DAY_EXCHANGE, STEP_BY_NAME, STEPS, Step, gold_inputs
from dag_cd.defs.partitions import day_exchange_partitions, day_partitions, partition_day_exchange
from dag_cd.defs.results import column_schema_of, to_check_result, to_metadata
from dag_cd.lib import guards
from dag_cd.lib.backend import Backend, PostgresBackend, TursoBackend
from dag_cd.lib.krx import KrxDataError

POSTGRES_SINK, TURSO_SINK = "postgres", "turso"
# Lets the CLI select one partitioning: --select 'group:CD and tag:partitioning=day_exchange'.
PARTITIONING_TAG = "partitioning"
KRX_RETRY_POLICY = dg.RetryPolicy(max_retries=2, delay=10)


def asset_name(step_name: str, sink: str) -> str:
    """The asset of the step named `step_name` (its Postgres name) on `sink`."""
    return STEP_BY_NAME[step_name].turso_name if sink == TURSO_SINK else step_name


def _backend(sink: str, resources) -> Backend:
    if sink == POSTGRES_SINK:
        return PostgresBackend(resources.cd_postgres)
    return TursoBackend(resources.cd_turso)


def ensure_schema(backend: Backend) -> None:
    with backend.transaction() as tx:
        tx.ensure_schema()


def _final(error: Exception) -> dg.Failure:
    return dg.Failure(description=str(error), allow_retries=False)


def run_step(step: Step, sink: str, context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    """One step on one sink and partition."""
    resources = context.resources
    backend = _backend(sink, resources)
    backend.before_read(context.log)
    ensure_schema(backend)
    kwargs = {"backend": backend, "log": context.log}
    krx = resources.cd_krx if step.uses_krx else None
    if krx is not None:
        kwargs["krx"] = krx
    try:
        settings = resources.cd_load_guards.settings() if step.guarded or step.partitioning == DAY else None
    except ValueError as error:  # a malformed guard setting: asking again will not help
        raise _final(error) from error
    if step.guarded:
        kwargs["guards"] = settings
    accepted = {}
    try:
        if step.partitioning == DAY_EXCHANGE:
            kwargs["day"], kwargs["exchange"] = partition_day_exchange(context)
            if step.gold_input:
                guards.clear_loaded(backend, kwargs["day"], kwargs["exchange"], step.name)
        else:
            kwargs["day"] = date.fromisoformat(context.partition_key)
            accepted = guards.require_day_loaded(backend, kwargs["day"], gold_inputs(), context.log, settings)
        result = step.run(**kwargs)
    except LoadRefused as error:
        raise _final(error) from error
    except KrxDataError as error:
        if krx is not None and not krx.retries_may_help():
            raise _final(error) from error
        raise
    if step.gold_input:
        guards.record_loaded(backend, kwargs["day"], kwargs["exchange"], step.name, datetime.now())
    backend.after_write(context.log)
    return dg.MaterializeResult(
        metadata=to_metadata(result.metadata | accepted),
        check_results=[to_check_result(c) for c in result.checks],
    )


def daily_asset(step: Step, sink: str) -> dg.AssetsDefinition:
    """The asset of `step` on `sink`."""
    name = asset_name(step.name, sink)
    resource_keys = {"cd_postgres" if sink == POSTGRES_SINK else "cd_turso"}
    resource_keys |= {"cd_krx"} if step.uses_krx else set()
    resource_keys |= {"cd_load_guards"} if step.guarded or step.partitioning == DAY else set()

    @dg.asset(
        name=name,
        group_name="CD" if sink == POSTGRES_SINK else "CD_TURSO",
        description=step.description + ("" if sink == POSTGRES_SINK else " (Turso mirror)"),
        deps=[asset_name(d, sink) for d in step.deps],
        partitions_def=day_exchange_partitions if step.partitioning == DAY_EXCHANGE else day_partitions,
        kinds={"source" if step.uses_krx else "python", "postgres" if sink == POSTGRES_SINK else "sqlite"},
        tags={
            "data_tier": step.tier,
            "domain": "finance",
            "source": "pykrx" if step.uses_krx else "computed",
            PARTITIONING_TAG: step.partitioning,
        },
        metadata={"dagster/column_schema": column_schema_of(step.table)},
        required_resource_keys=resource_keys,
        check_specs=[dg.AssetCheckSpec(check, asset=name, description=text) for check, text in step.checks],
        # One writer at a time on the libsql file (pools default to one slot in dagster.yaml).
        pool="cd_turso" if sink == TURSO_SINK else None,
        retry_policy=KRX_RETRY_POLICY if step.uses_krx else None,
        automation_condition=dg.AutomationCondition.eager() if step.partitioning == DAY else None,
    )
    def compute(context) -> dg.MaterializeResult:
        return run_step(step, sink, context)

    return compute


def daily_selection(sink: str, partitioning: str) -> dg.AssetSelection:
    """The sink's daily assets of one partitioning (DAY_EXCHANGE or DAY)."""
    return dg.AssetSelection.assets(
        *[asset_name(s.name, sink) for s in STEPS if s.partitioning == partitioning]
    )


def build_daily_assets(sink: str) -> list[dg.AssetsDefinition]:
    """Every daily step as an asset of one sink, in table order."""
    return [daily_asset(step, sink) for step in STEPS]
