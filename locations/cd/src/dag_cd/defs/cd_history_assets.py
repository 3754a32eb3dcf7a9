"""The month-end history assets (group CD_HISTORY), three per fact: fetch month-end KRX answers
into DuckDB (resumable), load them into Postgres with COPY, link them to securities.

`HISTORY` lists the asset names; the work is `dag_cd.lib.history`.
"""

import dagster as dg
from dag_shared.metadata import duckdb_query_metadata
from dag_shared.settings import data_dir
from pydantic import Field

from dag_cd.defs.cd_daily.factory import KRX_RETRY_POLICY
from dag_cd.defs.results import column_schema_of, metadata_value, to_metadata
from dag_cd.lib import history
from dag_cd.lib.backend import PostgresBackend
from dag_cd.lib.facts import FACTS
from dag_cd.lib.krx import KrxDataError

# fact -> (fetch asset, digest asset, sync asset)
HISTORY = {
    "price": ("cd_historical_prices", "cd_digest_historical_prices", "cd_sync_historical_price_to_security"),
    "marketcap": (
        "cd_historical_marketcaps",
        "cd_digest_historical_marketcaps",
        "cd_sync_historical_marketcap_to_security",
    ),
    "bppedd": (
        "cd_historical_bppedds",
        "cd_digest_historical_bppedds",
        "cd_sync_historical_bppedd_to_security",
    ),
}
_TAGS = {"domain": "finance"}


class CdHistoryConfig(dg.Config):
    years: int | None = Field(
        default=None, description="Calendar years before last_day's year; unset = CD_HISTORY_YEARS (21)."
    )
    last_day: str = Field(default="", description="Last day covered (YYYY-MM-DD); empty = yesterday.")


def _fetch_asset(fact_name: str, name: str) -> dg.AssetsDefinition:
    fact, table = FACTS[fact_name], history.STAGING[fact_name]

    @dg.asset(
        name=name,
        group_name="CD_HISTORY",
        kinds={"source", "duckdb"},
        tags={"data_tier": "bronze", **_TAGS, "source": "pykrx"},
        metadata={"dagster/column_schema": metadata_value(history.staging_columns(fact))},
        required_resource_keys={"cd_krx", "cd_history_duckdb"},
        retry_policy=KRX_RETRY_POLICY,
        description=f"Month-end KRX {fact.dataset} staged in DuckDB `{table}` (resumable).",
    )
    def fetch(context, config: CdHistoryConfig) -> dg.MaterializeResult:
        krx = context.resources.cd_krx
        targets = history.history_targets(config, fact)
        with context.resources.cd_history_duckdb.get_connection() as conn:
            try:
                fetched = history.fetch_month_ends(conn, fact, table, targets, krx, context.log)
            except KrxDataError as error:  # files that are wrong stay wrong; live KRX may answer later
                if krx.retries_may_help():
                    raise
                raise dg.Failure(description=str(error), allow_retries=False) from error
            metadata = duckdb_query_metadata(conn, f"SELECT * FROM {table} ORDER BY date, exchange, ticker")
        metadata["fetched_now"] = dg.MetadataValue.int(fetched.fetched_now)
        metadata["already_staged"] = dg.MetadataValue.int(fetched.targets - fetched.fetched_now)
        metadata["zero_rows_skipped"] = dg.MetadataValue.int(fetched.zero_rows_skipped)
        return dg.MaterializeResult(metadata=metadata)

    return fetch


def _digest_asset(fact_name: str, name: str, upstream: str) -> dg.AssetsDefinition:
    fact, table = FACTS[fact_name], history.STAGING[fact_name]

    @dg.asset(
        name=name,
        group_name="CD_HISTORY",
        deps=[upstream],
        kinds={"duckdb", "postgres"},
        tags={"data_tier": "silver", **_TAGS, "source": "computed"},
        metadata={"dagster/column_schema": column_schema_of(fact.table)},
        required_resource_keys={"cd_history_duckdb", "cd_postgres"},
        description=f"DuckDB `{table}` → Postgres `{fact.table}` with COPY, replacing those dates.",
    )
    def digest(context) -> dg.MaterializeResult:
        work_dir = data_dir() / "tmp"
        work_dir.mkdir(parents=True, exist_ok=True)
        with context.resources.cd_history_duckdb.get_connection() as duck_conn:
            history.ensure_staging(duck_conn, table, fact)
            with PostgresBackend(context.resources.cd_postgres).transaction() as tx:
                tx.ensure_schema()
                rows = history.load_staging_into_postgres(fact, table, duck_conn, tx.conn, work_dir)
                metadata = history.loaded_metadata(tx, fact, table, duck_conn)
        return dg.MaterializeResult(metadata=to_metadata({**metadata, "rows_loaded": rows}))

    return digest


def _sync_asset(fact_name: str, name: str, upstream: str) -> dg.AssetsDefinition:
    fact = FACTS[fact_name]

    @dg.asset(
        name=name,
        group_name="CD_HISTORY",
        deps=[upstream],
        kinds={"python", "postgres"},
        tags={"data_tier": "gold", **_TAGS, "source": "computed"},
        metadata={"dagster/column_schema": column_schema_of(fact.table)},
        required_resource_keys={"cd_postgres"},
        description=f"Links history rows of `{fact.table}` to securities in one UPDATE.",
    )
    def sync(context) -> dg.MaterializeResult:
        with PostgresBackend(context.resources.cd_postgres).transaction() as tx:
            tx.ensure_schema()
            metadata = history.link_to_securities(tx, fact)
        return dg.MaterializeResult(metadata=to_metadata(metadata))

    return sync


def build_history_assets() -> list[dg.AssetsDefinition]:
    assets = []
    for fact_name, (fetch_name, digest_name, sync_name) in HISTORY.items():
        assets += [
            _fetch_asset(fact_name, fetch_name),
            _digest_asset(fact_name, digest_name, fetch_name),
            _sync_asset(fact_name, sync_name, digest_name),
        ]
    return assets


cd_history_assets = build_history_assets()
