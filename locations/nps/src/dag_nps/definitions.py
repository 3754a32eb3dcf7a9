"""Definitions of the `nps` code location: National Pension Service workplaces.

Monthly file → bronze landing (`nps_his_download`, re-checked by `nps_file_integrity_check`) → silver DuckDB (`nps_his_digest`) →
Postgres `pension` (`nps_his_postgres_append`) → name functions and indexes
(`nps_pension_staging_indexes`) → the SaaS/KYC company layer (group NPS_SaaS).
Only definitions are imported here; heavy libraries load inside the asset bodies.
"""

import dagster as dg

from dag_nps import (
    nps_checks,
    nps_file_integrity_check,
    nps_his_digest,
    nps_his_download,
    nps_his_postgres_append,
    nps_pension_staging_indexes,
    nps_saas_assets,
)
from dag_nps.nps_jobs import JOBS, SCHEDULES
from dag_nps.nps_resources import nps_resources

defs = dg.Definitions(
    assets=dg.load_assets_from_modules(
        [
            nps_his_download, nps_file_integrity_check, nps_his_digest, nps_his_postgres_append,
            nps_pension_staging_indexes, nps_saas_assets,
        ]
    ),
    asset_checks=dg.load_asset_checks_from_modules([nps_checks]),
    jobs=JOBS,
    schedules=SCHEDULES,
    resources=nps_resources(),
)
