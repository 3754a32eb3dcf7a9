"""The CD partitions: KRX trading days (bundled XKRX sessions from 2024-01-02) × the three
exchanges for the per-exchange steps, trading days alone for the gold steps."""

from __future__ import annotations

from datetime import date

import dagster as dg

from dag_cd.lib.krx import EXCHANGES
from dag_cd.lib.trading_calendar import daily_sessions

day_partitions = dg.StaticPartitionsDefinition([d.isoformat() for d in daily_sessions()])
exchange_partitions = dg.StaticPartitionsDefinition(list(EXCHANGES))
day_exchange_partitions = dg.MultiPartitionsDefinition(
    {"date": day_partitions, "exchange": exchange_partitions}
)


def partition_day_exchange(context: dg.AssetExecutionContext) -> tuple[date, str]:
    key = context.partition_key
    if not isinstance(key, dg.MultiPartitionKey):  # a run launched with only the `dagster/partition` tag
        key = day_exchange_partitions.get_partition_key_from_str(key)
    keys = key.keys_by_dimension
    return date.fromisoformat(keys["date"]), keys["exchange"]
