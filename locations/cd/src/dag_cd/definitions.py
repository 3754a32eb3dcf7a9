"""Definitions of the `cd` code location: KRX equities into the Postgres warehouse (group CD),
the Turso mirror (group CD_TURSO) and the month-end history (group CD_HISTORY).

Heavy libraries (psycopg, libsql, duckdb, pykrx, exchange-calendars) are imported inside the
steps, so this module loads quickly.
"""

import dagster as dg
from dag_shared.resources.postgres import postgres_resource
from dag_shared.resources.turso import turso_resource

from dag_cd import cd_jobs
from dag_cd.cd_daily_assets import POSTGRES_SINK, TURSO_SINK, build_daily_assets
from dag_cd.cd_history import build_history_assets, cd_history_job, history_duckdb
from dag_cd.cd_krx import krx_resource
from dag_cd.cd_parity import cd_turso_matches_postgres

defs = dg.Definitions(
    assets=[*build_daily_assets(POSTGRES_SINK), *build_daily_assets(TURSO_SINK), *build_history_assets()],
    asset_checks=[cd_turso_matches_postgres],
    jobs=[cd_jobs.cd_daily_update_job, cd_jobs.cd_daily_update_turso_job, cd_jobs.cd_daily_gold_job,
          cd_jobs.cd_daily_gold_turso_job, cd_history_job],
    schedules=[cd_jobs.cd_daily_update_schedule, cd_jobs.cd_daily_update_turso_schedule],
    sensors=[cd_jobs.cd_gold_automation_sensor],
    # The steps are short database statements that run one after another: a process per step
    # (the multiprocess default) cost a minute per exchange run on the stack, in-process a few seconds.
    executor=dg.in_process_executor,
    resources={
        "cd_postgres": postgres_resource("cd"),
        "cd_turso": turso_resource(),
        "cd_krx": krx_resource(),
        "cd_history_duckdb": history_duckdb(),
    },
)
