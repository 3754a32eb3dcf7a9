"""The daily CD graph, defined once and built for two sinks.

`STEPS` lists every step with its asset name, tier, dependencies and partitioning. `build_daily_assets`
turns them into assets for one sink: Postgres (group CD, `cd_postgres`) or the Turso mirror (group
CD_TURSO, `cd_turso`, names suffixed `_turso`). The step bodies live in the `cd_steps_*` modules
and never know which sink they write to.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

import dagster as dg

from dag_cd.cd_calendar import day_exchange_partitions, day_partitions, partition_day_exchange
from dag_cd.cd_schema import column_schema_of

POSTGRES_SINK, TURSO_SINK = "postgres", "turso"
DAY_EXCHANGE, DAY = "day_exchange", "day"
# Lets the CLI select one partitioning: --select 'group:CD and tag:partitioning=day_exchange'.
PARTITIONING_TAG = "partitioning"


@dataclass(frozen=True)
class Step:
    name: str  # the Postgres asset name; the Turso one adds `_turso`
    tier: str
    deps: tuple[str, ...]
    table: str
    run: str  # "module:function" or "module:function:fact"
    partitioning: str = DAY_EXCHANGE
    uses_krx: bool = False
    checks: tuple[tuple[str, str], ...] = ()  # (check name, description)
    description: str = ""


_SKIPPED_ROWS_CHECK = "Rows without data (all zero) are skipped and counted; warns above 20 % of the answer."


def _fact_steps(fact: str, fetch: str, digest: str, sync: str, table: str, staging: str, label: str,
                negatives: bool) -> list[Step]:
    checks = ((f"no_negative_{table}_values", f"No negative {label} on the day (prices, volumes, caps)."),)
    return [
        Step(fetch, "bronze", ("cd_upsert_company_by_security",), staging, f"facts:fetch_fact:{fact}",
             uses_krx=True, description=f"KRX {label} of the day and exchange into {staging}.",
             checks=() if negatives else (("zero_rows_skipped", _SKIPPED_ROWS_CHECK),)),
        Step(digest, "silver", (fetch,), table, f"facts:digest_fact:{fact}", checks=checks if negatives else (),
             description=f"{staging} → {table}, replacing the partition in one transaction."),
        Step(sync, "silver", (digest,), table, f"facts:sync_fact_to_security:{fact}",
             description=f"Links the partition's {table} rows to securities by ticker and exchange."),
    ]


STEPS: list[Step] = [
    Step("cd_stockcode", "bronze", (), "stockcodename", "listing:stockcode", uses_krx=True,
         description="KRX ticker list of the day and exchange."),
    Step("cd_stockcodenames", "bronze", ("cd_stockcode",), "stockcodename", "listing:stockcodenames",
         uses_krx=True, description="Each ticker's name of that day, from the same day's KRX list."),
    Step("cd_ingest_stockcodenames", "silver", ("cd_stockcodenames",), "security", "listing:ingest_stockcodenames",
         description="New listings, delistings, renames and relistings into the security master."),
    Step("cd_update_securitytypebyname", "silver", ("cd_ingest_stockcodenames",), "security",
         "listing:update_security_type", description="Security type by name (SPAC, REIT, fund, preferred, common)."),
    Step("cd_upsert_company_by_security", "silver", ("cd_update_securitytypebyname",), "company",
         "listing:upsert_company_by_security", description="Links securities to companies, creating new ones."),
    *_fact_steps("price", "cd_prices", "cd_digest_price", "cd_sync_price_to_security", "price",
                 "tmp_prices", "OHLCV", True),
    *_fact_steps("marketcap", "cd_marketcaps", "cd_digest_marketcaps", "cd_sync_marketcaps_to_security",
                 "marketcap", "tmp_marketcaps", "market caps and shares", True),
    *_fact_steps("bppedd", "cd_bppedds", "cd_digest_bppedds", "cd_sync_bppedds_to_security", "bppedd",
                 "tmp_bppedds", "fundamentals (BPS, PER, PBR, EPS, DIV, DPS)", False),
    Step("cd_sync_display_name_search_name", "silver", ("cd_upsert_company_by_security",), "display_name",
         "names:sync_display_name_search_name", description="Company Korean names as display and search names."),
    Step("cd_post_eng2kor_search_name", "silver", ("cd_sync_display_name_search_name",), "search_name",
         "names:post_eng2kor_search_name", description="Latin letters spelled in Hangul as search names."),
    Step("cd_post_kor2eng_search_name_for_keyboard", "silver", ("cd_post_eng2kor_search_name",), "search_name",
         "names:post_kor2eng_search_name_for_keyboard",
         description="2-set keyboard spellings (Hangul → keys, and keys → Hangul for Latin names)."),
    Step("cd_update_price_marketcap_bppedd_to_security", "gold",
         ("cd_sync_price_to_security", "cd_sync_marketcaps_to_security", "cd_sync_bppedds_to_security"),
         "security", "gold:update_latest_metrics", DAY,
         checks=(("prices_and_caps_present", "Every security listed that day has its price and market cap."),),
         description="Latest price, market cap and fundamentals onto each active security."),
    Step("cd_update_marketcap_from_security_to_company", "gold", ("cd_update_price_marketcap_bppedd_to_security",),
         "company", "gold:update_company_marketcap", DAY,
         description="Company market cap: sum over its active securities of the day (preferred included)."),
    Step("cd_update_rank_to_company", "gold", ("cd_update_marketcap_from_security_to_company",), "company",
         "gold:update_company_rank", DAY, description="Company market-cap ranks and prior ranks."),
    Step("cd_populate_security_ranks", "gold", ("cd_update_price_marketcap_bppedd_to_security",), "security_rank",
         "gold:populate_security_ranks", DAY,
         checks=(("ranks_dense_and_unique", "Ranks are 1..n without gaps or duplicates per metric and day."),),
         description="Security ranks per metric (marketcap, bps, per, pbr, eps, div, dps) for the day."),
    Step("cd_update_rank_to_security", "gold", ("cd_populate_security_ranks",), "security",
         "gold:update_rank_to_security", DAY, description="The day's market-cap rank onto each security."),
]


# The (day, exchange) steps gold depends on: listing and facts. The search-name steps are not
# among them, so a failure there never blocks the day's gold.
GOLD_INPUT_MODULES = ("listing", "facts")


def gold_inputs() -> dict[str, tuple[str, ...]]:
    """Each (day, exchange) step that must have loaded before the day's gold → its such deps."""
    names = {s.name for s in STEPS if s.partitioning == DAY_EXCHANGE and s.run.split(":")[0] in GOLD_INPUT_MODULES}
    return {s.name: tuple(d for d in s.deps if d in names) for s in STEPS if s.name in names}


def asset_name(step_name: str, sink: str) -> str:
    return f"{step_name}_turso" if sink == TURSO_SINK else step_name


def _step_function(run: str) -> Callable:
    import importlib

    module, function, *fact = run.split(":")
    fn = getattr(importlib.import_module(f"dag_cd.cd_steps_{module}"), function)
    if fact:
        from dag_cd.cd_steps_facts import FACTS

        fn = functools.partial(fn, FACTS[fact[0]])
    return fn


def _backend(sink: str, resources):
    from dag_cd.cd_backend import PostgresBackend, TursoBackend

    if sink == POSTGRES_SINK:
        return PostgresBackend(resources.cd_postgres)
    return TursoBackend(resources.cd_turso)


def ensure_schema(backend) -> None:
    with backend.transaction() as tx:
        tx.ensure_schema()


def _build(step: Step, sink: str) -> dg.AssetsDefinition:
    name = asset_name(step.name, sink)
    sink_kind = "postgres" if sink == POSTGRES_SINK else "sqlite"

    def compute(context):
        from dag_cd import cd_guards

        backend = _backend(sink, context.resources)
        backend.before_read(context.log)
        ensure_schema(backend)
        kwargs = {"backend": backend, "log": context.log}
        if step.uses_krx:
            kwargs["krx"] = context.resources.cd_krx
        ledger = step.partitioning == DAY_EXCHANGE and step.name in gold_inputs()
        guarded = {}
        if step.partitioning == DAY_EXCHANGE:
            kwargs["day"], kwargs["exchange"] = partition_day_exchange(context)
            if ledger:
                cd_guards.clear_loaded(backend, kwargs["day"], kwargs["exchange"], step.name)
        else:
            kwargs["day"] = date.fromisoformat(context.partition_key)
            guarded = cd_guards.require_day_loaded(backend, kwargs["day"], gold_inputs(), context.log)
        result = _step_function(step.run)(**kwargs)
        if ledger:
            cd_guards.record_loaded(backend, kwargs["day"], kwargs["exchange"], step.name, datetime.now())
        backend.after_write(context.log)
        return dg.MaterializeResult(metadata=result.metadata | guarded, check_results=result.checks)

    compute.__name__ = compute.__qualname__ = name
    resource_keys = {"cd_postgres" if sink == POSTGRES_SINK else "cd_turso"} | ({"cd_krx"} if step.uses_krx else set())
    return dg.asset(
        name=name,
        group_name="CD" if sink == POSTGRES_SINK else "CD_TURSO",
        description=step.description + ("" if sink == POSTGRES_SINK else " (Turso mirror)"),
        deps=[asset_name(d, sink) for d in step.deps],
        partitions_def=day_exchange_partitions if step.partitioning == DAY_EXCHANGE else day_partitions,
        kinds={"source" if step.uses_krx else "python", sink_kind},
        tags={"data_tier": step.tier, "domain": "finance", "source": "pykrx" if step.uses_krx else "computed",
              PARTITIONING_TAG: step.partitioning},
        metadata={"dagster/column_schema": column_schema_of(step.table)},
        required_resource_keys=resource_keys,
        check_specs=[dg.AssetCheckSpec(check, asset=name, description=text) for check, text in step.checks],
        # Live KRX calls may fail transiently; local snapshots fail for good, so only pykrx retries.
        # One writer at a time on the libsql file (pools default to one slot in dagster.yaml).
        pool="cd_turso" if sink == TURSO_SINK else None,
        retry_policy=dg.RetryPolicy(max_retries=2, delay=10) if step.uses_krx and _live_krx() else None,
        automation_condition=dg.AutomationCondition.eager() if step.partitioning == DAY else None,
    )(compute)


def _live_krx() -> bool:
    from dag_shared.settings import env

    return (env("CD_KRX_SOURCE") or "local").lower() == "pykrx"


def build_daily_assets(sink: str) -> list[dg.AssetsDefinition]:
    """Every daily step as an asset of one sink."""
    return [_build(step, sink) for step in STEPS]
