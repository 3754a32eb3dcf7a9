"""The sample months as the UI sees them: execution time and peak memory on every materialization,
and the subscriber trend monitor comparing each month with the ones before it."""

import shutil

import dagster as dg
from dag_nps.definitions import defs
from dag_nps.lib.sample import SAMPLE_DIR
from dag_shared.instrumentation import EXECUTION_TIME, PEAK_MEMORY, metadata_numbers

from conftest import nps_resources_for

MONTHS = ("2022-03", "2022-04", "2022-05")
SELECTION = [
    dg.AssetKey("nps_his_download"),
    dg.AssetKey("nps_his_digest"),
    dg.AssetKey("nps_his_postgres_append"),
]


def test_sample_months_record_time_and_memory_and_the_trend_check_sees_the_history(nps_env):
    for path in SAMPLE_DIR.glob("*.csv"):
        shutil.copy(path, nps_env["source"] / path.name)
    job = defs.resolve_implicit_global_asset_job_def().get_subset(
        asset_selection=set(SELECTION),
        asset_check_selection={dg.AssetCheckKey(SELECTION[-1], "nps_pension_subscriber_trend")},
    )
    with dg.instance_for_test() as instance:
        evaluations = []
        for month in MONTHS:
            result = job.execute_in_process(
                instance=instance, partition_key=month, resources=nps_resources_for(nps_env["source"])
            )
            assert result.success
            evaluations += result.get_asset_check_evaluations()
        for key in SELECTION:
            records = instance.fetch_materializations(key, limit=10).records
            assert len(records) == len(MONTHS)
            for record in records:
                figures = metadata_numbers(record.asset_materialization.metadata)
                assert set(figures) == {EXECUTION_TIME, PEAK_MEMORY}, key
                assert figures[PEAK_MEMORY] > 0
    assert [e.metadata["period"].value for e in evaluations] == list(MONTHS)
    assert [e.metadata["history_periods"].value for e in evaluations] == [0, 1, 2]
    last = evaluations[-1]
    assert last.severity == dg.AssetCheckSeverity.WARN and "baseline_mean" in last.metadata
    assert last.passed == (last.metadata["deviation"].value <= 0.15)
