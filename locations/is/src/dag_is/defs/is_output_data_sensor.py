"""Sensor `is_output_data_sensor`: one ingest run per crawl file waiting in `$DAG_DATA_DIR/is/output/`.

The folder only holds files not ingested yet (the ingest moves each file to `processed/` after its
commit), so a tick lists a handful of names instead of the whole history, and never opens a file:
site, board and mode tags come from the file name. The run key is the file's name, modification
time and size, so a file is launched once and a rewritten file (new mtime or size) once more;
Dagster refuses a second run with the same key, so double launches are impossible. The cursor
keeps the versions already requested for the files still waiting (a failed file is not requested
again until it is rewritten).
"""

import json

import dagster as dg


@dg.sensor(
    name="is_output_data_sensor",
    job_name="is_ingest_job",
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.STOPPED,
    description="IS 크롤 파일마다 is_ingest_job 을 한 번 실행합니다 (다시 쓰인 파일은 한 번 더).",
)
def is_output_data_sensor(context: dg.SensorEvaluationContext):
    from dag_shared.crawler.output import parse_file_name

    from dag_is.lib.outputs import output_dir, pending_files

    requested: dict[str, str] = json.loads(context.cursor) if context.cursor else {}
    current: dict[str, str] = {}
    runs = []
    for pending in pending_files(output_dir()):
        name = pending.path.name
        current[name] = pending.version
        if requested.get(name) == pending.version:
            continue
        parsed = parse_file_name(name)
        tags = {"dagster/priority": "3"}
        if parsed is not None:
            tags.update({"site": parsed.site, "board": parsed.board, "mode": parsed.mode})
            if parsed.range:
                tags["range"] = parsed.range
        runs.append(
            dg.RunRequest(
                run_key=f"is_posts:{pending.version}",
                run_config={"ops": {"is_posts": {"config": {"file_path": str(pending.path)}}}},
                tags=tags,
            )
        )
    context.update_cursor(json.dumps(current, sort_keys=True))
    if not runs:
        return dg.SkipReason("no new or rewritten crawl files")
    return runs
