"""The asset check `cd_turso_matches_postgres`: the Turso mirror equals the Postgres warehouse.

It runs after the last Turso gold step; the comparison itself is `dag_cd.lib.parity`.
"""

from __future__ import annotations

import dagster as dg

from dag_cd.lib.backend import Backend, PostgresBackend, TursoBackend
from dag_cd.lib.parity import compare_sinks


@dg.asset_check(
    asset="cd_update_rank_to_security_turso",
    name="cd_turso_matches_postgres",
    description="Every table mirrored to Turso equals its Postgres table row by row.",
    required_resource_keys={"cd_postgres", "cd_turso"},
)
def cd_turso_matches_postgres(context) -> dg.AssetCheckResult:
    return parity_result(
        PostgresBackend(context.resources.cd_postgres), TursoBackend(context.resources.cd_turso)
    )


def parity_result(postgres: Backend, turso: Backend) -> dg.AssetCheckResult:
    report = compare_sinks(postgres, turso)
    differing = {t: r for t, r in report.items() if r["differences"]}
    return dg.AssetCheckResult(
        passed=not differing,
        metadata={
            "tables_compared": dg.MetadataValue.int(len(report)),
            "tables_differing": dg.MetadataValue.text(", ".join(differing) or "none"),
            "report": dg.MetadataValue.json(
                {
                    t: {
                        k: (v if isinstance(v, int) else [list(map(str, row)) for row in v])
                        for k, v in r.items()
                    }
                    for t, r in report.items()
                }
            ),
        },
    )
