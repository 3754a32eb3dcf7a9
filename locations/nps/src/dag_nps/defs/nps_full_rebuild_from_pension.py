"""Gold asset `nps_full_rebuild_from_pension` (group NPS_SaaS): the KYC layer rebuilt from all of `pension`.

It empties the layer and replays the incremental ETL's matching over every month
(`dag_nps.lib.saas_etl.run_full_rebuild`), one transaction per month, into the same fact table.
"""

import dagster as dg
from dag_shared.resources.postgres import PostgresResource

from dag_nps.defs.nps_saas_etl_run import FACT_ASSET, materialize_matching


@dg.asset(
    **FACT_ASSET,
    description="SaaS 계층을 비우고 pension 전체에서 증분 ETL과 같은 규칙으로 월별 재구축.",
)
def nps_full_rebuild_from_pension(
    context: dg.AssetExecutionContext, nps_postgres: PostgresResource
) -> dg.MaterializeResult:
    """Full rebuild: truncate the layer and replay the matching over every month."""
    from dag_nps.lib.saas_etl import run_full_rebuild

    return materialize_matching(context, nps_postgres, run_full_rebuild)
