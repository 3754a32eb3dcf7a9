"""The daily CD step table: every asset of the daily graph, by name, on both sinks.

Each `Step` names its Postgres asset and its Turso asset, its tier, dependencies, warehouse table
and the `dag_cd.lib` function that does the work (`run`). `assets.py` builds both sinks' assets
from this table. The step functions never know which sink they write to.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from dag_cd.lib import facts, gold, listing, search_names
from dag_cd.lib.facts import FACTS

DAY_EXCHANGE, DAY = "day_exchange", "day"


@dataclass  # not frozen: a test swaps a step's function for one that fails
class Step:
    name: str  # the Postgres asset (group CD)
    turso_name: str  # the Turso mirror's asset (group CD_TURSO)
    tier: str
    deps: tuple[str, ...]  # Postgres names of the steps this one follows
    table: str  # the warehouse table it writes (its column schema)
    run: Callable  # the lib function: (backend, log, day[, exchange][, krx][, guards]) -> StepResult
    partitioning: str = DAY_EXCHANGE
    uses_krx: bool = False
    guarded: bool = False  # takes the load guards' settings (`guards=`)
    gold_input: bool = False  # must have loaded, for every exchange, before the day's gold runs
    checks: tuple[tuple[str, str], ...] = ()  # (check name, description)
    description: str = ""


_SKIPPED_ROWS = (
    (
        "zero_rows_skipped",
        "Rows without data (all zero) are skipped and counted; warns above 20 % of the answer.",
    ),
)
_PRICE, _CAP, _BPPEDD = FACTS["price"], FACTS["marketcap"], FACTS["bppedd"]

STEPS: list[Step] = [
    # Listing: the day's tickers and the security master (gold inputs).
    Step("cd_stockcode", "cd_stockcode_turso", "bronze", (), "stockcodename", listing.stockcode,
         uses_krx=True, guarded=True, gold_input=True, description="KRX ticker list of the day and exchange."),
    Step("cd_stockcodenames", "cd_stockcodenames_turso", "bronze", ("cd_stockcode",), "stockcodename",
         listing.stockcodenames, uses_krx=True, gold_input=True,
         description="Each ticker's name of that day, from the same day's KRX list."),
    Step("cd_ingest_stockcodenames", "cd_ingest_stockcodenames_turso", "silver", ("cd_stockcodenames",), "security",
         listing.ingest_stockcodenames, gold_input=True,
         description="New listings, delistings, renames and relistings into the security master."),
    Step("cd_update_securitytypebyname", "cd_update_securitytypebyname_turso", "silver",
         ("cd_ingest_stockcodenames",), "security", listing.update_security_type, gold_input=True,
         description="Security type by name (SPAC, REIT, fund, preferred, common)."),
    Step("cd_upsert_company_by_security", "cd_upsert_company_by_security_turso", "silver",
         ("cd_update_securitytypebyname",), "company", listing.upsert_company_by_security, gold_input=True,
         description="Links securities to companies, creating new ones."),
    # Facts: fetch from KRX into staging, digest into the fact table, link to securities (gold inputs).
    Step("cd_prices", "cd_prices_turso", "bronze", ("cd_upsert_company_by_security",), "tmp_prices",
         partial(facts.fetch_fact, _PRICE), uses_krx=True, gold_input=True,
         description="KRX OHLCV of the day and exchange into tmp_prices."),
    Step("cd_digest_price", "cd_digest_price_turso", "silver", ("cd_prices",), "price",
         partial(facts.digest_fact, _PRICE), gold_input=True,
         checks=(("no_negative_price_values", "No negative OHLCV on the day (prices, volumes, caps)."),),
         description="tmp_prices → price, replacing the partition in one transaction."),
    Step("cd_sync_price_to_security", "cd_sync_price_to_security_turso", "silver", ("cd_digest_price",), "price",
         partial(facts.sync_fact_to_security, _PRICE), gold_input=True,
         description="Links the partition's price rows to securities by ticker and exchange."),
    Step("cd_marketcaps", "cd_marketcaps_turso", "bronze", ("cd_upsert_company_by_security",), "tmp_marketcaps",
         partial(facts.fetch_fact, _CAP), uses_krx=True, gold_input=True,
         description="KRX market caps and shares of the day and exchange into tmp_marketcaps."),
    Step("cd_digest_marketcaps", "cd_digest_marketcaps_turso", "silver", ("cd_marketcaps",), "marketcap",
         partial(facts.digest_fact, _CAP), gold_input=True,
         checks=(("no_negative_marketcap_values",
                  "No negative market caps and shares on the day (prices, volumes, caps)."),),
         description="tmp_marketcaps → marketcap, replacing the partition in one transaction."),
    Step("cd_sync_marketcaps_to_security", "cd_sync_marketcaps_to_security_turso", "silver",
         ("cd_digest_marketcaps",), "marketcap", partial(facts.sync_fact_to_security, _CAP), gold_input=True,
         description="Links the partition's marketcap rows to securities by ticker and exchange."),
    Step("cd_bppedds", "cd_bppedds_turso", "bronze", ("cd_upsert_company_by_security",), "tmp_bppedds",
         partial(facts.fetch_fact, _BPPEDD), uses_krx=True, gold_input=True, checks=_SKIPPED_ROWS,
         description="KRX fundamentals (BPS, PER, PBR, EPS, DIV, DPS) of the day and exchange into tmp_bppedds."),
    Step("cd_digest_bppedds", "cd_digest_bppedds_turso", "silver", ("cd_bppedds",), "bppedd",
         partial(facts.digest_fact, _BPPEDD), gold_input=True,
         description="tmp_bppedds → bppedd, replacing the partition in one transaction."),
    Step("cd_sync_bppedds_to_security", "cd_sync_bppedds_to_security_turso", "silver", ("cd_digest_bppedds",),
         "bppedd", partial(facts.sync_fact_to_security, _BPPEDD), gold_input=True,
         description="Links the partition's bppedd rows to securities by ticker and exchange."),
    # Names: display and search names. Not gold inputs, so a failure here never blocks the day's gold.
    Step("cd_sync_display_name_search_name", "cd_sync_display_name_search_name_turso", "silver",
         ("cd_upsert_company_by_security",), "display_name", search_names.sync_display_name_search_name,
         description="Company Korean names as display and search names."),
    Step("cd_post_eng2kor_search_name", "cd_post_eng2kor_search_name_turso", "silver",
         ("cd_sync_display_name_search_name",), "search_name", search_names.post_eng2kor_search_name,
         description="Latin letters spelled in Hangul as search names."),
    Step("cd_post_kor2eng_search_name_for_keyboard", "cd_post_kor2eng_search_name_for_keyboard_turso", "silver",
         ("cd_post_eng2kor_search_name",), "search_name", search_names.post_kor2eng_search_name_for_keyboard,
         description="2-set keyboard spellings (Hangul → keys, and keys → Hangul for Latin names)."),
    # Gold: once per trading day, after every exchange loaded.
    Step("cd_update_price_marketcap_bppedd_to_security", "cd_update_price_marketcap_bppedd_to_security_turso",
         "gold", ("cd_sync_price_to_security", "cd_sync_marketcaps_to_security", "cd_sync_bppedds_to_security"),
         "security", gold.update_latest_metrics, DAY,
         checks=(("prices_and_caps_present", "Every security listed that day has its price and market cap."),),
         description="Latest price, market cap and fundamentals onto each active security."),
    Step("cd_update_marketcap_from_security_to_company", "cd_update_marketcap_from_security_to_company_turso",
         "gold", ("cd_update_price_marketcap_bppedd_to_security",), "company", gold.update_company_marketcap, DAY,
         description="Company market cap: sum over its active securities of the day (preferred included)."),
    Step("cd_update_rank_to_company", "cd_update_rank_to_company_turso", "gold",
         ("cd_update_marketcap_from_security_to_company",), "company", gold.update_company_rank, DAY,
         description="Company market-cap ranks and prior ranks."),
    Step("cd_populate_security_ranks", "cd_populate_security_ranks_turso", "gold",
         ("cd_update_price_marketcap_bppedd_to_security",), "security_rank", gold.populate_security_ranks, DAY,
         checks=(("ranks_dense_and_unique", "Ranks are 1..n without gaps or duplicates per metric and day."),),
         description="Security ranks per metric (marketcap, bps, per, pbr, eps, div, dps) for the day."),
    Step("cd_update_rank_to_security", "cd_update_rank_to_security_turso", "gold", ("cd_populate_security_ranks",),
         "security", gold.update_rank_to_security, DAY, description="The day's market-cap rank onto each security."),
]  # fmt: skip

STEP_BY_NAME = {step.name: step for step in STEPS}


def gold_inputs() -> dict[str, tuple[str, ...]]:
    """Each (day, exchange) step that must have loaded before the day's gold → its such deps."""
    names = {s.name for s in STEPS if s.gold_input}
    return {s.name: tuple(d for d in s.deps if d in names) for s in STEPS if s.gold_input}
