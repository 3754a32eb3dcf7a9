"""The monthly schedule of the `nps` location: `nps_monthly_job` on the 20th, 06:00 Asia/Seoul (stopped by default).

The job is reached through its module (`jobs.nps_monthly_job`) so that this module holds no
module-level job object: the defs folder loader would otherwise register the job twice.
"""

from __future__ import annotations

import dagster as dg

from dag_nps.defs import jobs

nps_monthly_schedule = dg.build_schedule_from_partitioned_job(
    jobs.nps_monthly_job,
    hour_of_day=6,
    minute_of_hour=0,
    day_of_month=20,
    default_status=dg.DefaultScheduleStatus.STOPPED,
)
