"""Gold asset `ss_seed_dictionary_data`: upsert the carriers and phone models of the seed.

Extraction reads the tables at the start of every run, so the next run uses a reseed at once.
"""

import dagster as dg
from dag_shared.resources.postgres import PostgresResource

from dag_ss.defs.common import SCHEMAS, tags


@dg.asset(
    group_name="SS_Dictionary",
    deps=["ss_bootstrap_dictionary_schema"],
    kinds={"python", "postgres"},
    tags=tags("gold"),
    metadata={"dagster/column_schema": SCHEMAS["dictionary"]},
    description="통신사 5개·휴대폰 모델 37개와 별칭(Key-B 대표 하나씩, 정식 이름 먼저)을 name 기준으로 upsert. "
    "자모 별칭(ㅅㅋ, ㅋㅌ)은 그대로 유지, 키가 빈 별칭은 오류.",
)
def ss_seed_dictionary_data(ss_postgres: PostgresResource) -> dg.MaterializeResult:
    from dag_shared.metadata import postgres_query_metadata

    from dag_ss.lib.dictionary import ensure_dictionary_schema, seed_rows, upsert_terms
    from dag_ss.lib.dictionary_seed import CARRIERS, MODELS

    carriers, models = seed_rows(CARRIERS), seed_rows(MODELS)
    with ss_postgres.transaction() as conn:
        ensure_dictionary_schema(conn)
        changed = upsert_terms(conn, "carriers", carriers) + upsert_terms(conn, "phone_models", models)
    with ss_postgres.connection() as conn:
        metadata = postgres_query_metadata(
            conn,
            "SELECT * FROM (SELECT * FROM carriers UNION ALL SELECT * FROM phone_models) d ORDER BY name",
        )
    return dg.MaterializeResult(
        metadata={
            **metadata,
            "seeded_carriers": len(carriers),
            "seeded_models": len(models),
            "rows_inserted_or_changed": changed,
            "aliases_keyb_count": sum(len(r.aliases_keyb) for r in [*carriers, *models]),
        }
    )
