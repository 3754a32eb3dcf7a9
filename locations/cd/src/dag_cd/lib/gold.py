"""Gold steps (once per trading day, after all three exchanges are in): latest metrics on each
security, company market caps and ranks, security ranks per metric.

Rules decided once for both sinks:
- a company's market cap is the sum over its *active* securities (common and preferred) whose
  market cap is of that day; companies without one that day drop out of the ranking (rank NULL,
  prior rank = their last rank), so ranks stay dense;
- ranks are ROW_NUMBER by value descending, ties broken by name (companies) or ticker and
  exchange (securities), so they are unique and reproducible;
- security ranks cover the 7 metrics; a metric is ranked when its date is the day.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from dag_cd.lib.backend import POSTGRES, Backend, Tx
from dag_cd.lib.krx import EXCHANGES
from dag_cd.lib.listing import LISTED_COMPANY, now
from dag_cd.lib.results import Check, StepResult
from dag_cd.lib.schema import METRICS, quote

_IN_EXCHANGES = "(" + ", ".join("?" * len(EXCHANGES)) + ")"


def _latest(tx: Tx, table: str, columns: str) -> str:
    """Subquery: each security's newest row of `table` on or before the day (one `?` for the day)."""
    if tx.dialect == POSTGRES:  # an index lookup per security instead of a scan of the history
        return (
            f"(SELECT s2.security_id, x.* FROM security s2 CROSS JOIN LATERAL (SELECT {columns}, date "
            f"FROM {table} t WHERE t.security_id = s2.security_id AND t.date <= ? "
            "ORDER BY t.date DESC LIMIT 1) x)"
        )
    return (
        f"(SELECT security_id, {columns}, date FROM (SELECT security_id, {columns}, date, ROW_NUMBER() "
        f"OVER (PARTITION BY security_id ORDER BY date DESC) AS rn FROM {table} "
        "WHERE date <= ? AND security_id IS NOT NULL) WHERE rn = 1)"
    )


def update_latest_metrics(backend: Backend, day: date, log: Any) -> StepResult:
    """Latest price, market cap, shares and fundamentals (with their dates) onto active securities."""
    with backend.transaction() as tx:
        p = _latest(tx, "price", "close")
        m = _latest(tx, "marketcap", "marketcap, shares")
        b = _latest(tx, "bppedd", "bps, per, pbr, eps, div, dps")
        sets = ", ".join(
            f"{c} = l.{c}, {c}_date = l.b_date" for c in ("bps", "per", "pbr", "eps", "div", "dps")
        )
        tx.execute(
            "UPDATE security SET price = l.close, price_date = l.p_date, shares = l.shares, "
            f"shares_date = l.m_date, marketcap = l.marketcap, marketcap_date = l.m_date, {sets}, updated_at = ? "
            "FROM (SELECT s.security_id AS sid, p.close, p.date AS p_date, m.marketcap, m.shares, m.date AS m_date, "
            "b.bps, b.per, b.pbr, b.eps, b.div, b.dps, b.date AS b_date FROM security s "
            f"LEFT JOIN {p} p ON p.security_id = s.security_id "
            f"LEFT JOIN {m} m ON m.security_id = s.security_id "
            f"LEFT JOIN {b} b ON b.security_id = s.security_id "
            f"WHERE s.delisting_date IS NULL AND s.exchange IN {_IN_EXCHANGES}) AS l "
            "WHERE security.security_id = l.sid",
            (now(), day, day, day, *EXCHANGES),
        )
        where = f"delisting_date IS NULL AND exchange IN {_IN_EXCHANGES}"
        metadata = tx.metadata("security", where, EXCHANGES, "exchange, ticker")
        # Check: every security listed that day has its price and market cap of that day.
        missing = tx.query(
            "SELECT n.exchange, n.ticker FROM stockcodename n JOIN security s ON s.ticker = n.ticker "
            "AND s.exchange = n.exchange WHERE n.date = ? AND (s.price_date IS NULL OR s.price_date <> ? "
            "OR s.marketcap_date IS NULL OR s.marketcap_date <> ?) ORDER BY n.exchange, n.ticker",
            (day, day, day),
        )
        listed = {
            e: n
            for e, n in tx.query(
                "SELECT exchange, count(*) FROM stockcodename WHERE date = ? GROUP BY exchange", (day,)
            )
        }
    absent = [e for e in EXCHANGES if not listed.get(e)]
    check = Check(
        "prices_and_caps_present",
        not missing and not absent,
        {
            "securities_missing_price_or_cap": len(missing),
            "exchanges_without_a_list": ", ".join(absent),
            "examples": ", ".join(f"{e}:{t}" for e, t in missing[:30]),
        },
    )
    return StepResult(metadata, [check])


def update_company_marketcap(backend: Backend, day: date, log: Any) -> StepResult:
    """Company market cap = sum of its active securities' market caps of the day."""
    with backend.transaction() as tx:
        tx.execute(
            "UPDATE company SET marketcap = agg.total, marketcap_date = ?, updated_at = ? FROM ("
            "SELECT company_id, SUM(marketcap) AS total FROM security WHERE delisting_date IS NULL "
            f"AND company_id IS NOT NULL AND marketcap_date = ? AND exchange IN {_IN_EXCHANGES} "
            "GROUP BY company_id HAVING SUM(marketcap) > 0) AS agg "
            "WHERE company.company_id = agg.company_id AND company.type = ?",
            (day, now(), day, *EXCHANGES, LISTED_COMPANY),
        )
        metadata = tx.metadata("company", "marketcap_date = ?", (day,), "marketcap DESC, name")
    return StepResult(metadata)


def update_company_rank(backend: Backend, day: date, log: Any) -> StepResult:
    """Rank listed companies by the day's market cap; the prior rank is kept when the rank changes."""
    with backend.transaction() as tx:
        current = tx.query(
            "SELECT company_id FROM company WHERE type = ? AND marketcap IS NOT NULL "
            "AND marketcap_date = ? ORDER BY marketcap DESC, name",
            (LISTED_COMPANY, day),
        )
        new_rank = {str(cid): i for i, (cid,) in enumerate(current, start=1)}
        updates = []
        for cid, old in tx.query(
            "SELECT company_id, marketcap_rank FROM company WHERE type = ?", (LISTED_COMPANY,)
        ):
            new = new_rank.get(str(cid))
            if new != old:
                updates.append((new, old, cid))
        tx.executemany(
            "UPDATE company SET marketcap_rank = ?, marketcap_prior_rank = ? WHERE company_id = ?", updates
        )
        metadata = tx.metadata("company", "marketcap_rank IS NOT NULL", (), "marketcap_rank")
    metadata["ranks_changed"] = len(updates)
    return StepResult(metadata)


def _rank_check(tx: Tx, day: date) -> Check:
    rows = tx.query(
        "SELECT metric_type, count(*), count(DISTINCT current_rank), min(current_rank), "
        "max(current_rank) FROM security_rank WHERE rank_date = ? GROUP BY metric_type",
        (day,),
    )
    bad = [str(m) for m, n, distinct, low, high in rows if not (n == distinct and low == 1 and high == n)]
    return Check(
        "ranks_dense_and_unique",
        not bad,
        {"metrics_ranked": len(rows), "metrics_with_gaps_or_duplicates": ", ".join(bad)},
    )


def populate_security_ranks(backend: Backend, day: date, log: Any) -> StepResult:
    """One rank set per metric for the day in `security_rank`, with each security's prior rank."""
    stamp = now()
    with backend.transaction() as tx:
        tx.execute("DELETE FROM security_rank WHERE rank_date = ?", (day,))
        for metric in METRICS:  # a fixed list of column names, never user input
            column = quote(metric)
            tx.execute(
                "INSERT INTO security_rank (security_id, metric_type, rank_date, current_rank, prior_rank, value, "
                f"updated_at) SELECT r.security_id, {tx.cast_metric()}, ?, r.rnk, (SELECT sr.current_rank FROM "
                "security_rank sr WHERE sr.security_id = r.security_id AND sr.metric_type = ? AND sr.rank_date < ? "
                "ORDER BY sr.rank_date DESC LIMIT 1), r.value, ? FROM (SELECT security_id, "
                f"{column} AS value, ROW_NUMBER() OVER (ORDER BY {column} DESC, ticker, exchange) AS rnk "
                f"FROM security WHERE delisting_date IS NULL AND {column} IS NOT NULL AND {metric}_date = ? "
                f"AND exchange IN {_IN_EXCHANGES}) AS r",
                (metric, day, metric, day, stamp, day, *EXCHANGES),
            )
        metadata = tx.metadata("security_rank", "rank_date = ?", (day,), "metric_type, current_rank")
        check = _rank_check(tx, day)
    return StepResult(metadata, [check])


def update_rank_to_security(backend: Backend, day: date, log: Any) -> StepResult:
    """The day's market-cap rank and prior rank onto `security` (what the Turso readers use)."""
    with backend.transaction() as tx:
        tx.execute(
            "UPDATE security SET marketcap_rank = NULL, marketcap_prior_rank = NULL "
            "WHERE marketcap_rank IS NOT NULL"
        )
        tx.execute(
            "UPDATE security SET marketcap_rank = r.current_rank, marketcap_prior_rank = r.prior_rank "
            "FROM security_rank AS r WHERE r.security_id = security.security_id AND r.metric_type = ? "
            "AND r.rank_date = ?",
            ("marketcap", day),
        )
        metadata = tx.metadata("security", "marketcap_rank IS NOT NULL", (), "marketcap_rank")
    return StepResult(metadata)
