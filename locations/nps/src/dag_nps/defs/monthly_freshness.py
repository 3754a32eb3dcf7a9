"""The freshness check result of a monthly table, shared by the pension and SaaS freshness checks.

Months are counted in Asia/Seoul, where the NPS publishes: a table is fresh when its newest month
is no older than the first day of the month FRESHNESS_MONTHS before the current one. A stale
table warns (the portal publishes late at times); it does not block downstream assets.
"""

from __future__ import annotations

import dagster as dg

FRESHNESS_MONTHS = 2


def monthly_freshness(conn, table: str, column: str) -> dg.AssetCheckResult:
    from psycopg import sql

    schema, name = table.split(".")
    query = sql.SQL(
        "SELECT max({column})::date, "
        "(date_trunc('month', (now() AT TIME ZONE 'Asia/Seoul')) - make_interval(months => %s))::date "
        "FROM {table}"
    ).format(column=sql.Identifier(column), table=sql.Identifier(schema, name))
    latest, limit = conn.execute(query, (FRESHNESS_MONTHS,)).fetchone()
    return dg.AssetCheckResult(
        passed=latest is not None and latest >= limit,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"latest_month": str(latest), "oldest_allowed": str(limit)},
    )
