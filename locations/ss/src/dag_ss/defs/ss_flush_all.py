"""Gold asset `ss_flush_all`: empty every SS table; manual only and refused unless enabled twice.

It runs only when SS_DANGEROUS_FLUSH=1 is set for the run AND the run config confirms with
`confirm: "flush ss"`. It belongs to no job, schedule, sensor or automation condition.
"""

import dagster as dg
from dag_shared.resources.postgres import PostgresResource

from dag_ss.defs.common import tags
from dag_ss.defs.resources import SsSettingsResource

CONFIRMATION = "flush ss"
_FLUSHED = dg.TableSchema(
    columns=[dg.TableColumn("table_name", "text"), dg.TableColumn("rows_removed", "int8")]
)


class FlushConfig(dg.Config):
    confirm: str = ""


@dg.asset(
    group_name="SS",
    kinds={"python", "postgres"},
    tags=tags("gold"),
    metadata={"dagster/column_schema": _FLUSHED},
    description="위험: SS의 모든 테이블(deals, aggregates_daily, 사전, 스테이징)을 비움. 수동 실행 전용, "
    "SS_DANGEROUS_FLUSH=1 과 run config confirm: 'flush ss' 가 모두 있어야 실행. 어떤 잡·자동화에도 없음.",
)
def ss_flush_all(
    context: dg.AssetExecutionContext,
    config: FlushConfig,
    ss_postgres: PostgresResource,
    ss_settings: SsSettingsResource,
) -> dg.MaterializeResult:
    from dag_ss.lib.flush import flush_all

    if not ss_settings.flush_enabled():
        raise dg.Failure("ss_flush_all refused: SS_DANGEROUS_FLUSH is not 1", allow_retries=False)
    if config.confirm != CONFIRMATION:
        raise dg.Failure(
            f"ss_flush_all refused: run config confirm must be {CONFIRMATION!r}", allow_retries=False
        )
    with ss_postgres.transaction() as conn:
        removed = flush_all(conn)
    context.log.warning(f"ss_flush_all emptied {removed}")
    rows = sorted(removed.items())
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": sum(removed.values()),
            "preview": dg.MetadataValue.md(
                "| table_name | rows_removed |\n|---|---|\n" + "\n".join(f"| {t} | {n} |" for t, n in rows)
            ),
            "dagster/column_schema": _FLUSHED,
        }
    )
