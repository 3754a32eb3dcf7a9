"""Jobs of the `nps` location: the history backfill and the monthly end-to-end run (names kept from legacy).

Both run their steps in the run worker's process by default (`NPS_EXECUTOR`): the steps follow one
another (the DuckDB pool and the chain's edges allow no parallelism), so a process per step (the
multiprocess default) only added start-up: on the stack, a sample month took 30 s from submission
to SUCCESS, most of it spawning and importing one Python process per asset and per check
(bench/bench_stack_nps_run.py, docs/run-cost.md). A run that wants a process per step still gets
one with run config `execution: {config: {multiprocess: {}}}`.
"""

from __future__ import annotations

import dagster as dg

from dag_nps.defs.partitions import NPS_MONTHS

# Dagster's default executor with the other default: `in_process` unless the run config picks
# `multiprocess` (with its usual options, e.g. a forkserver start method).
NPS_EXECUTOR = dg.ExecutorDefinition(
    name="nps_in_process_or_multiprocess",
    config_schema=dg.Field(
        dg.multi_or_in_process_executor.config_field.config_type, default_value={"in_process": {}}
    ),
    requirements=dg.multi_or_in_process_executor.get_requirements,
    executor_creation_fn=dg.multi_or_in_process_executor.executor_creation_fn,
    description="In-process steps by default; `multiprocess` in the run config for a process per step.",
)

nps_history_job = dg.define_asset_job(
    "nps_history_job",
    selection=dg.AssetSelection.groups("NPS"),
    partitions_def=NPS_MONTHS,
    description="NPS 과거 데이터 한번에 가지고 오기: the NPS group over the months selected (backfill).",
    tags={"source": "NPS", "type": "history"},
    executor_def=NPS_EXECUTOR,
)

nps_monthly_job = dg.define_asset_job(
    "nps_monthly_job",
    selection=dg.AssetSelection.groups("NPS") | dg.AssetSelection.groups("NPS_SaaS"),
    partitions_def=NPS_MONTHS,
    description="The latest month end to end, then the SaaS/KYC layer.",
    tags={"source": "NPS", "type": "monthly"},
    executor_def=NPS_EXECUTOR,
)
