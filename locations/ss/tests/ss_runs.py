"""Running SS jobs in process against a real instance, as the tests need them."""

from __future__ import annotations

import dagster as dg


def definitions(**resources):
    from dag_ss.definitions import defs

    if not resources:
        return defs
    return dg.Definitions(
        assets=defs.assets,
        asset_checks=defs.asset_checks,
        jobs=defs.jobs,
        sensors=defs.sensors,
        schedules=defs.schedules,
        resources={**(defs.resources or {}), **resources},
    )


def run_setup(instance: dg.DagsterInstance, defs=None) -> dg.ExecuteInProcessResult:
    defs = defs or definitions()
    result = defs.resolve_job_def("ss_setup_job").execute_in_process(instance=instance)
    assert result.success
    return result


def run_ingest(instance: dg.DagsterInstance, key: str, defs=None, raise_on_error: bool = True):
    defs = defs or definitions()
    if key not in instance.get_dynamic_partitions("ss_crawl_files"):
        instance.add_dynamic_partitions("ss_crawl_files", [key])
    return defs.resolve_job_def("ss_ingest_job").execute_in_process(
        instance=instance, partition_key=key, raise_on_error=raise_on_error
    )


def materialization_metadata(result, asset: str) -> dict:
    for event in result.get_asset_materialization_events():
        materialization = event.event_specific_data.materialization
        if materialization.asset_key.to_user_string() == asset:
            return {k: v.value for k, v in materialization.metadata.items()}
    raise AssertionError(f"{asset} was not materialized")
