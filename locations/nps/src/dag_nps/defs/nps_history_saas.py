"""The SaaS/KYC layer rebuilt once after a history backfill, not once per month.

A backfill of the NPS group is one run over its range (`month_range.py`); the SaaS layer (group
NPS_SaaS) is not partitioned and not in `nps_history_job`. When a run that loaded a range of
more than one month into `pension` succeeds, `nps_history_saas_sensor` requests one run of
`nps_saas_rebuild_job`: the SaaS DDL and `nps_full_rebuild_from_pension`, which matches every
month of `pension` again (the incremental ETL would only cover the months after its last one,
and a backfill usually loads older months). The run key is the range run's id, so one range run
gives exactly one rebuild, also when the sensor sees the run twice. Single-month runs request
nothing: the monthly schedule's `nps_monthly_job` already builds the layer in the same run.
"""

from __future__ import annotations

import dagster as dg

APPEND = dg.AssetKey("nps_his_postgres_append")
APPEND_STEP = "nps_his_postgres_append"
RANGE_START = "dagster/asset_partition_range_start"
RANGE_END = "dagster/asset_partition_range_end"

nps_saas_rebuild_job = dg.define_asset_job(
    "nps_saas_rebuild_job",
    selection=dg.AssetSelection.assets("nps_ensure_saas_tables", "nps_full_rebuild_from_pension"),
    description="The SaaS/KYC layer rebuilt from all of pension: requested once after a history backfill.",
    tags={"source": "NPS", "type": "saas_rebuild"},
)


def loaded_range(run: dg.DagsterRun, instance: dg.DagsterInstance) -> tuple[str, str] | None:
    """(first, last) month of a run that loaded a range of months into pension, else None."""
    start, end = run.tags.get(RANGE_START), run.tags.get(RANGE_END)
    if not start or not end or start == end:
        return None
    if run.asset_selection:  # empty or None: the whole job ran
        loads = APPEND in run.asset_selection
    else:  # did the plan have the append step?
        plan = instance.get_execution_plan_snapshot(run.execution_plan_snapshot_id)
        loads = any(step.key == APPEND_STEP for step in plan.steps)
    return (start, end) if loads else None


@dg.run_status_sensor(
    run_status=dg.DagsterRunStatus.SUCCESS,
    name="nps_history_saas_sensor",
    request_job=nps_saas_rebuild_job,
    minimum_interval_seconds=15,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="After a backfill run of several NPS months succeeds, rebuilds the SaaS layer once.",
)
def nps_history_saas_sensor(context: dg.RunStatusSensorContext):
    run = context.dagster_run
    months = loaded_range(run, context.instance)
    if months is None:
        return dg.SkipReason(f"run {run.run_id} did not load a range of months")
    return dg.RunRequest(
        run_key=f"saas-after-{run.run_id}",
        tags={"nps/after_range_run": run.run_id, "nps/range": f"{months[0]}..{months[1]}"},
    )
