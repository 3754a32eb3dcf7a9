"""Gold asset `nps_listed_company_pension` (group NPS_SaaS): monthly headcount, hires and leavers of
every KRX-listed company, from CD's `cd_listed_companies` and the NPS SaaS layer.

The dependency on CD is by asset key only: `cd_listed_companies` is declared here as an external
asset owned by the cd location (nothing of dag_cd is imported); its data is read from the shared
object store where CD publishes it (`dag_nps.lib.listed_source`). The matching and the table
`listed_company_pension_monthly` are in `dag_nps.lib.listed_matching` and `listed_rules`.

Declarative automation re-materializes the asset when either upstream updates (a new CD day, a new
NPS month through `nps_saas_etl_run`, a full rebuild), once both have data and none is running;
`nps_listed_company_automation_sensor` evaluates it and runs by default.
"""

import dagster as dg
from dag_shared.resources.data_products import DataProductStoreResource
from dag_shared.resources.postgres import PostgresResource

from dag_nps.lib.listed_ddl import LATEST_VIEW, MONTHLY_COLUMNS, MONTHLY_TABLE

CD_LISTED = dg.AssetKey("cd_listed_companies")
NPS_UPSTREAM = ("nps_saas_etl_run", "nps_full_rebuild_from_pension")
# Also in `nps_monthly_job` (all of NPS and NPS_SaaS): there it fails alone, naming the missing pointer,
# until CD has published a trading day.
MIN_MATCHED_SHARE = 0.5  # below it the match-share check warns (see docs/nps.md)

cd_listed_companies = dg.AssetSpec(
    CD_LISTED,
    description="CD's listed-company master, published per trading day to the object store "
    "(owned and materialized by the cd location; declared here by key only).",
    owners=["team:cd"],
    metadata={"owning_location": "cd", "object_store_pointer": "cd/cd_listed_companies/latest.json"},
)

_updated = dg.AutomationCondition.any_deps_updated().since(
    dg.AutomationCondition.newly_requested() | dg.AutomationCondition.newly_updated()
)
AUTOMATION = (
    _updated
    & dg.AutomationCondition.any_deps_match(~dg.AutomationCondition.missing()).allow(
        dg.AssetSelection.assets(CD_LISTED)
    )
    & ~dg.AutomationCondition.any_deps_match(dg.AutomationCondition.missing()).allow(
        dg.AssetSelection.assets("nps_saas_etl_run")
    )
    & ~dg.AutomationCondition.any_deps_in_progress()
    & ~dg.AutomationCondition.in_progress()
).with_label("either upstream updated, both present, none running")


@dg.asset(
    group_name="NPS_SaaS",
    deps=[CD_LISTED, *NPS_UPSTREAM],
    kinds={"sql", "postgres"},
    tags={"data_tier": "gold", "domain": "pension", "source": "national_pension"},
    metadata={
        "dagster/column_schema": dg.TableSchema(
            columns=[dg.TableColumn(name, kind.lower()) for name, kind, _ in MONTHLY_COLUMNS]
        ),
        "table_name": MONTHLY_TABLE,
        "latest_month_view": LATEST_VIEW,
    },
    automation_condition=AUTOMATION,
    description="상장사별 월별 국민연금 가입자수·신규·상실·고지금액: CD 상장법인 마스터를 NPS 사업장(dim_company, "
    "롤업)에 이름·독음·별칭·삼중자 유사도·회사형태 규칙으로 매칭해 listed_company_pension_monthly 갱신.",
)
def nps_listed_company_pension(
    context: dg.AssetExecutionContext,
    nps_postgres: PostgresResource,
    nps_product_store: DataProductStoreResource,
) -> dg.MaterializeResult:
    """Match the listed companies of CD's latest day and replace the monthly table."""
    from dag_shared.metadata import postgres_query_metadata, preview_markdown

    from dag_nps.lib.listed_matching import build
    from dag_nps.lib.listed_source import ListedSourceError, read_listed

    try:
        listed = read_listed(nps_product_store.store())
    except ListedSourceError as error:
        raise dg.Failure(description=str(error), allow_retries=False) from None
    with nps_postgres.transaction() as conn:
        summary = build(conn, listed)
    context.log.info(f"{summary.listed} listed companies: {summary.by_status}")
    with nps_postgres.connection() as conn:
        table = postgres_query_metadata(conn, f"SELECT * FROM {MONTHLY_TABLE} ORDER BY company_name, ym")
    unmatched = [(n, s, r) for n, s, r in summary.unmatched]
    return dg.MaterializeResult(
        metadata={
            **table,
            "cd_object_key": listed.key,
            "cd_day": listed.day,
            "listed_companies": summary.listed,
            "matched": summary.by_status.get("matched", 0),
            "review": summary.by_status.get("review", 0),
            "ambiguous": summary.by_status.get("ambiguous", 0),
            "unmatched": summary.by_status.get("unmatched", 0),
            "workplaces": summary.workplaces,
            "months": summary.months,
            "not_matched": dg.MetadataValue.md(
                preview_markdown(("company", "status", "reason"), unmatched, (), len(unmatched))
            ),
        }
    )


@dg.asset_check(
    asset=nps_listed_company_pension,
    description=f"At least {MIN_MATCHED_SHARE:.0%} of the listed companies are matched (warns below).",
)
def listed_match_share(nps_postgres: PostgresResource) -> dg.AssetCheckResult:
    with nps_postgres.connection() as conn:
        total, matched = conn.execute(
            "SELECT count(*), count(*) FILTER (WHERE status = 'matched') FROM public.listed_company_match"
        ).fetchone()
    share = matched / total if total else 0.0
    return dg.AssetCheckResult(
        passed=share >= MIN_MATCHED_SHARE,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "listed": total,
            "matched": matched,
            "share": round(share, 4),
            "min_share": MIN_MATCHED_SHARE,
        },
    )


@dg.asset_check(
    asset=nps_listed_company_pension,
    description="No listed company is mapped to two rollups, and no workplace to two listed companies.",
)
def one_rollup_per_listed_company(nps_postgres: PostgresResource) -> dg.AssetCheckResult:
    with nps_postgres.connection() as conn:
        split = conn.execute(
            "SELECT m.company_name, count(DISTINCT coalesce(r.rollup_id, a.nps_company_id)) "
            "FROM public.listed_company_match m JOIN public.listed_company_match_audit a "
            "ON a.company_id = m.company_id AND a.decision = 'accepted' "
            "LEFT JOIN public.company_rollup r ON r.company_id = a.nps_company_id "
            "WHERE m.status = 'matched' GROUP BY m.company_name HAVING count(DISTINCT coalesce(r.rollup_id, "
            "a.nps_company_id)) > 1 ORDER BY 1"
        ).fetchall()
        shared = conn.execute(
            "SELECT count(*) FROM (SELECT nps_company_id FROM public.listed_company_match_audit "
            "WHERE decision = 'accepted' GROUP BY 1 HAVING count(*) > 1) s"
        ).fetchone()[0]
    return dg.AssetCheckResult(
        passed=not split and shared == 0,
        metadata={
            "companies_on_two_rollups": len(split),
            "examples": ", ".join(name for name, _ in split[:20]),
            "workplaces_on_two_companies": shared,
        },
    )


@dg.asset_check(asset=nps_listed_company_pension, description="No month has a negative headcount.")
def no_negative_headcount(nps_postgres: PostgresResource) -> dg.AssetCheckResult:
    with nps_postgres.connection() as conn:
        rows = conn.execute(
            f"SELECT company_name, ym, subscriber_count FROM {MONTHLY_TABLE} WHERE subscriber_count < 0 "
            "ORDER BY company_name, ym LIMIT 20"
        ).fetchall()
    return dg.AssetCheckResult(
        passed=not rows,
        metadata={"negative_months": len(rows), "examples": ", ".join(f"{n} {m:%Y-%m}" for n, m, _ in rows)},
    )


nps_listed_company_automation_sensor = dg.AutomationConditionSensorDefinition(
    "nps_listed_company_automation_sensor",
    target=dg.AssetSelection.assets(nps_listed_company_pension),
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Re-materializes nps_listed_company_pension when CD publishes a day or a new NPS month is in.",
)


@dg.definitions
def listed_company_pension() -> dg.Definitions:
    """Everything of this module (a module with a `definitions` function is loaded through it alone)."""
    return dg.Definitions(
        assets=[cd_listed_companies, nps_listed_company_pension],
        asset_checks=[listed_match_share, one_rollup_per_listed_company, no_negative_headcount],
        sensors=[nps_listed_company_automation_sensor],
        resources={"nps_product_store": DataProductStoreResource()},
    )
