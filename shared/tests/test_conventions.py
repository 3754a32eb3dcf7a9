"""The convention checker: a clean location passes, and every rule can fail on a bad definition."""

from __future__ import annotations

import importlib
import sys
import textwrap

import dagster as dg
import pytest
from dag_shared.conventions import (
    DESCRIPTION_RULE,
    NAME_RULE,
    OPTIONAL_TAG_RULE,
    OPTIONAL_TAG_VALUES,
    PII_COLUMNS_RULE,
    PII_TAGS_RULE,
    check_location,
    check_materialization_metadata,
    check_platform,
    duplicate_asset_keys,
    owned_asset_keys,
)

GOOD_TAGS = {"data_tier": "silver", "domain": "pension", "source": "data.go.kr"}
SCHEMA = {"dagster/column_schema": dg.TableSchema(columns=[dg.TableColumn("id", "int")])}


PII_SCHEMA = {
    "dagster/column_schema": dg.TableSchema(
        columns=[dg.TableColumn("id", "int"), dg.TableColumn("author", "text", tags={"pii": "true"})]
    )
}
PII_TAGS = {**GOOD_TAGS, "pii": "true", "access_level": "restricted"}


def make_asset(
    name="nps_good",
    group="NPS",
    kinds=("python", "duckdb"),
    tags=None,
    metadata=SCHEMA,
    description="Workplaces of one month.",
):
    def body():
        return dg.MaterializeResult(metadata={"dagster/row_count": 1})

    return dg.asset(
        name=name,
        group_name=group,
        kinds=set(kinds),
        tags=GOOD_TAGS if tags is None else tags,
        metadata=metadata,
        description=description,
    )(body)


def rules(violations) -> set[str]:
    return {v.rule for v in violations}


def test_a_location_that_follows_every_rule_has_no_violations():
    job = dg.define_asset_job("nps_history_job", selection=dg.AssetSelection.groups("NPS"))
    schedule = dg.ScheduleDefinition(job=job, cron_schedule="0 3 * * *", execution_timezone="Asia/Seoul")
    defs = dg.Definitions(assets=[make_asset()], jobs=[job], schedules=[schedule])
    assert check_location("nps", defs) == []


def test_optional_tags_with_allowed_values_and_a_fully_marked_pii_asset_pass():
    tags = {**PII_TAGS, "quality": "validated", "business_critical": "true", "compliance": "pipa"}
    defs = dg.Definitions(assets=[make_asset(tags=tags, metadata=PII_SCHEMA)])
    assert check_location("nps", defs) == []
    assert {"quality", "business_critical", "pii", "access_level", "compliance"} <= set(OPTIONAL_TAG_VALUES)


def test_an_empty_location_passes():
    assert check_location("ds", dg.Definitions()) == []


@pytest.mark.parametrize(
    ("asset_kwargs", "rule"),
    [
        ({"name": "posts_asset"}, "asset key starts with the location prefix"),
        ({"name": "nps_" + "spelled_nowhere"}, NAME_RULE),
        ({"tags": {**GOOD_TAGS, "data_tier": "platinum"}}, "data_tier tag is bronze, silver or gold"),
        ({"tags": {"data_tier": "gold", "source": "x"}}, "'domain' tag present"),
        ({"tags": {"data_tier": "gold", "domain": "x"}}, "'source' tag present"),
        ({"kinds": ("python", "duckdb", "postgres", "polars")}, "at most 3 kinds"),
        ({"kinds": ("python", "turso")}, "kind from the allowed list"),
        ({"kinds": ()}, "at least one kind"),
        ({"group": "default"}, "group is one of the location's groups"),
        ({"group": "CD"}, "group is one of the location's groups"),
        ({"metadata": None}, "table assets declare dagster/column_schema"),
        ({"description": None}, DESCRIPTION_RULE),
        ({"description": "  "}, DESCRIPTION_RULE),
        ({"tags": {**GOOD_TAGS, "quality": "excellent"}}, OPTIONAL_TAG_RULE),
        ({"tags": {**GOOD_TAGS, "business_critical": "yes"}}, OPTIONAL_TAG_RULE),
        ({"tags": {**PII_TAGS, "access_level": "everyone"}, "metadata": PII_SCHEMA}, OPTIONAL_TAG_RULE),
        ({"metadata": PII_SCHEMA}, PII_TAGS_RULE),
        ({"tags": {**GOOD_TAGS, "pii": "true"}, "metadata": PII_SCHEMA}, PII_TAGS_RULE),
        ({"tags": PII_TAGS}, PII_COLUMNS_RULE),
    ],
)
def test_each_asset_rule_reports_the_asset_that_breaks_it(asset_kwargs, rule):
    asset = make_asset(**asset_kwargs)
    violations = check_location("nps", dg.Definitions(assets=[asset]))
    assert rule in rules(violations)
    broken = [v for v in violations if v.rule == rule]
    assert all(v.location == "nps" and v.subject.startswith("asset ") for v in broken)
    assert asset_kwargs.get("name", "nps_good") in broken[0].subject


def test_a_job_whose_selection_resolves_to_nothing_is_reported():
    job = dg.define_asset_job("nps_history_job", selection=dg.AssetSelection.groups("NPS_SaaS"))
    violations = check_location("nps", dg.Definitions(assets=[make_asset()], jobs=[job]))
    assert [(v.subject, v.rule) for v in violations] == [
        ("job nps_history_job", "job selection resolves to at least one asset")
    ]


def test_a_schedule_targeting_an_unregistered_job_is_reported():
    schedule = dg.ScheduleDefinition(
        name="orphan_schedule", job_name="missing_job", cron_schedule="0 * * * *"
    )
    violations = check_location("nps", dg.Definitions(assets=[make_asset()], schedules=[schedule]))
    assert rules(violations) == {"definitions resolve (targets are registered)"}
    assert "missing_job" in violations[0].detail


def test_a_sensor_targeting_an_unregistered_job_is_reported():
    @dg.sensor(job_name="missing_job")
    def orphan_sensor():
        return None

    violations = check_location("nps", dg.Definitions(assets=[make_asset()], sensors=[orphan_sensor]))
    assert "missing_job" in violations[0].detail


def test_an_asset_key_owned_by_two_locations_is_reported():
    violations = check_platform(
        {"nps": dg.Definitions(assets=[make_asset()]), "cd": dg.Definitions(assets=[make_asset(group="CD")])}
    )
    duplicates = [v for v in violations if v.rule == "no duplicate asset keys across locations"]
    assert [(v.location, v.subject) for v in duplicates] == [("cd,nps", "asset nps_good")]
    assert duplicate_asset_keys({"cd": ["cd_a"], "nps": ["nps_a"]}) == []


def test_a_location_may_depend_on_another_locations_asset_by_key():
    @dg.asset(deps=["nps_good"], group_name="CD", kinds={"python"}, tags={**GOOD_TAGS, "data_tier": "gold"})
    def cd_uses_pension():
        """Uses the pension table."""
        return

    assert (
        check_platform(
            {"nps": dg.Definitions(assets=[make_asset()]), "cd": dg.Definitions(assets=[cd_uses_pension])}
        )
        == []
    )


def test_an_external_asset_spec_of_another_locations_key_is_owned_by_that_location_only():
    @dg.asset(deps=["cd_listed"], group_name="NPS", kinds={"python"}, tags={**GOOD_TAGS, "data_tier": "gold"})
    def nps_uses_listed():
        """Uses the listed companies."""
        return

    external = dg.AssetSpec("cd_listed", owners=["team:cd"])
    nps = dg.Definitions(assets=[external, nps_uses_listed])
    cd = dg.Definitions(assets=[make_asset(name="cd_listed", group="CD")])
    assert owned_asset_keys(nps) == ["nps_uses_listed"]
    assert check_platform({"nps": nps, "cd": cd}) == []
    # A second location that materializes the key is still a duplicate owner.
    twice = dg.Definitions(assets=[make_asset(name="cd_listed", group="NPS")])
    assert [v.rule for v in check_platform({"nps": twice, "cd": cd}) if "duplicate" in v.rule] == [
        "no duplicate asset keys across locations"
    ]


def test_materializations_without_row_count_preview_or_schema_are_reported():
    key = dg.AssetKey("nps_good")
    assert check_materialization_metadata(key, {"dagster/row_count": 3}, is_table=False) == []
    assert check_materialization_metadata(key, {}, is_table=False) == [
        "nps_good: materialization reports no dagster/row_count"
    ]
    missing = check_materialization_metadata(key, {"dagster/row_count": 3}, is_table=True)
    assert missing == [
        "nps_good: table materialization has no preview",
        "nps_good: table materialization has no dagster/column_schema",
    ]


# A dg project's defs folder, written to disk: the name rule reads the files an asset's module lives among.
PROBE_FILES = {
    "__init__.py": "",
    "defs/__init__.py": "",
    "defs/pension_assets.py": """
        import dagster as dg

        @dg.asset(group_name="NPS", kinds={"python"}, tags={"data_tier": "silver", "domain": "d", "source": "s"})
        def nps_decorated():
            "Decorated."
            return None
    """,
    "defs/pension_table.py": """
        import dagster as dg

        NAMES = ("nps_from_table_a", "nps_from_table_b")

        def _build(name):
            @dg.asset(name=name, group_name="NPS", kinds={"python"},
                      tags={"data_tier": "silver", "domain": "d", "source": "s"})
            def build():
                "Built from the table."
                return None

            return build

        table_assets = [_build(name) for name in NAMES]
    """,
    "defs/pension_hidden.py": """
        import dagster as dg

        @dg.asset(name="nps_" + "computed", group_name="NPS", kinds={"python"},
                  tags={"data_tier": "silver", "domain": "d", "source": "s"})
        def build():
            "Computed name."
            return None
    """,
}


@pytest.fixture(scope="module")
def probe(tmp_path_factory):
    root = tmp_path_factory.mktemp("probe_project")
    for name, text in PROBE_FILES.items():
        path = root / "dag_conventions_probe" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    sys.path.insert(0, str(root))
    try:
        yield lambda module: importlib.import_module(f"dag_conventions_probe.defs.{module}")
    finally:
        sys.path.remove(str(root))
        for module in [m for m in sys.modules if m.startswith("dag_conventions_probe")]:
            del sys.modules[module]


def test_an_asset_whose_name_appears_nowhere_in_the_defs_folder_is_reported(probe):
    violations = check_location("nps", dg.Definitions(assets=[probe("pension_hidden").build]))
    assert [(v.subject, v.rule) for v in violations] == [("asset nps_computed", NAME_RULE)]
    assert "dag_conventions_probe/defs" in violations[0].detail


def test_a_decorated_asset_is_found_by_its_function_name(probe):
    assert check_location("nps", dg.Definitions(assets=[probe("pension_assets").nps_decorated])) == []


def test_assets_built_from_a_table_of_names_are_found_by_the_names_in_the_table(probe):
    assert check_location("nps", dg.Definitions(assets=probe("pension_table").table_assets)) == []
