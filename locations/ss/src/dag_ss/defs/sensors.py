"""Sensor `ss_crawl_files_sensor`: each new or rewritten crawl file becomes a partition and a run.

The cursor records every file's mtime, size and content hash, so a file is run once, a rewritten
file (new content) again, and a touched but unchanged file not at all. A file removed from the
folder has its partition removed, so partitions do not accumulate beyond the files kept. Until the dictionary has
been seeded the sensor asks for `ss_setup_job` first and leaves the files for a later tick.
"""

from __future__ import annotations

import json

import dagster as dg

# The module, not the jobs: a job imported by name would be collected a second time from here.
from dag_ss.defs import jobs
from dag_ss.defs.partitions import SS_CRAWL_FILES
from dag_ss.defs.resources import SsSettingsResource


@dg.sensor(
    name="ss_crawl_files_sensor",
    jobs=[jobs.ss_ingest_job, jobs.ss_setup_job],
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Adds an ss_crawl_files partition per new crawl file in SS_CRAWL_DIR and runs ss_ingest_job "
    "for new and rewritten files.",
)
def ss_crawl_files_sensor(context: dg.SensorEvaluationContext, ss_settings: SsSettingsResource):
    from dag_ss.lib.crawl_folder import load_cursor, scan

    seeded = context.instance.get_latest_materialization_event(dg.AssetKey("ss_seed_dictionary_data"))
    if seeded is None:
        return dg.SensorResult(
            run_requests=[dg.RunRequest(run_key="ss_setup:first", job_name=jobs.ss_setup_job.name)],
            cursor=context.cursor,
        )
    previous = load_cursor(context.cursor)
    changes, state, skipped = scan(ss_settings.crawl_folder(), previous)
    for name in skipped:
        context.log.warning(f"{name}: the file name cannot be a partition key; skipped")
    known = set(context.instance.get_dynamic_partitions(SS_CRAWL_FILES.name))
    new_keys = [change.key for change in changes if change.key not in known]
    # A file removed from the folder (archived by an operator) takes its partition with it; its
    # rows stay in the warehouse and its record in crawl_files.
    gone = sorted(key for key in previous if key not in state and key in known)
    requests = [SS_CRAWL_FILES.build_add_request(new_keys)] if new_keys else []
    if gone:
        requests.append(SS_CRAWL_FILES.build_delete_request(gone))
    return dg.SensorResult(
        run_requests=[
            dg.RunRequest(
                run_key=f"{change.key}:{change.sha256[:16]}",
                partition_key=change.key,
                job_name=jobs.ss_ingest_job.name,
                tags={"ss/crawl_file": change.path.name, "ss/rewritten": str(not change.is_new).lower()},
            )
            for change in changes
        ],
        dynamic_partitions_requests=requests,
        cursor=json.dumps(state, sort_keys=True),
    )
