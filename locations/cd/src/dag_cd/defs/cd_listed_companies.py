"""Gold asset `cd_listed_companies` (group CD): the listed-company master as a data product.

Runs once per trading day after the day's gold steps (in `cd_daily_gold_job`, in the README's
per-day gold command `--select 'group:CD and (tag:partitioning=day or key:cd_listed_companies)'`,
and by `cd_gold_automation_sensor`), reads the Postgres
warehouse and publishes one Parquet object per day plus a `latest` pointer to the shared object
store (`dag_cd.lib.listed_companies`). Other locations depend on it by asset key only (the nps
location builds `nps_listed_company_pension` from it). The object's key is in the metadata.

`cd_product_store` is the object store, resolved when a run starts: OBJECT_STORE_* when an
endpoint is set, else the local folder `$DAG_DATA_DIR/object_store/<bucket>` both locations share.
"""

from datetime import date

import dagster as dg
from dag_shared.resources.data_products import DataProductStoreResource
from dag_shared.resources.postgres import PostgresResource

from dag_cd.defs.partitions import day_partitions
from dag_cd.defs.results import metadata_value
from dag_cd.lib.results import ColumnSchema

LISTED_COLUMNS = (
    ("company_id", "uuid"),
    ("company_name", "text"),
    ("market", "text"),
    ("ticker", "text"),
    ("listing_date", "date"),
    ("delisting_date", "date"),
    ("readings", "text[]"),
    ("preferred_tickers", "text[]"),
    ("as_of", "date"),
)


@dg.asset(
    name="cd_listed_companies",
    group_name="CD",
    description="상장법인 마스터 (회사 id, 이름, 시장, 보통주 티커, 상장·폐지일, 한글 독음) as a Parquet "
    "data product per trading day with a `latest` pointer in the shared object store.",
    deps=["cd_update_rank_to_company", "cd_update_rank_to_security"],
    partitions_def=day_partitions,
    kinds={"python", "parquet"},
    tags={"data_tier": "gold", "domain": "finance", "source": "computed"},
    metadata={
        "dagster/column_schema": metadata_value(ColumnSchema(*map(tuple, zip(*LISTED_COLUMNS)))),
    },
    automation_condition=dg.AutomationCondition.eager(),
)
def cd_listed_companies(
    context: dg.AssetExecutionContext,
    cd_postgres: PostgresResource,
    cd_product_store: DataProductStoreResource,
) -> dg.MaterializeResult:
    """Publish the trading day's listed companies to the object store."""
    from dag_shared.metadata import preview_markdown

    from dag_cd.lib.backend import PostgresBackend
    from dag_cd.lib.listed_companies import COLUMN_NAMES, publish

    day = date.fromisoformat(context.partition_key)
    published = publish(cd_product_store.store(), PostgresBackend(cd_postgres), day)
    rows = published.rows
    without_common = sum(1 for r in rows if r[3] is None and r[5] is None)
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": dg.MetadataValue.int(len(rows)),
            "object_key": dg.MetadataValue.text(published.key),
            "latest_day": dg.MetadataValue.text(published.latest_day),
            "moved_latest": dg.MetadataValue.bool(published.moved_latest),
            "active_companies": dg.MetadataValue.int(sum(1 for r in rows if r[5] is None)),
            "listed_without_common_share": dg.MetadataValue.int(without_common),
            "preview": dg.MetadataValue.md(
                preview_markdown(COLUMN_NAMES, rows[:5], rows[5:][-5:], len(rows))
            ),
        }
    )


@dg.definitions
def resources() -> dg.Definitions:
    """The asset and its store (a module with a `definitions` function is loaded through it alone)."""
    return dg.Definitions(
        assets=[cd_listed_companies], resources={"cd_product_store": DataProductStoreResource()}
    )
