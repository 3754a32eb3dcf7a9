"""Schedule of the `ss` location: the board crawl every three hours, Korean time (off by default)."""

from __future__ import annotations

import dagster as dg

# The module, not the job: a job imported by name would be collected a second time from here.
from dag_ss.defs import jobs

ss_crawl_schedule = dg.ScheduleDefinition(
    name="ss_crawl_schedule",
    job=jobs.ss_crawl_job,
    cron_schedule="0 */3 * * *",
    execution_timezone="Asia/Seoul",
    default_status=dg.DefaultScheduleStatus.STOPPED,
    description="Crawls the last SS_CRAWL_HOURS (48 h) of the phone board every three hours; "
    "ss_crawl_files_sensor ingests each file.",
)
