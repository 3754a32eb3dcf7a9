"""The teams' coding guidelines as code: a checker that inspects `Definitions` objects.

`check_location(name, defs)` reports every violation of one location, `check_platform(...)` adds
the cross-location rules (no asset key owned twice). Platform and location tests run both and fail
on any violation, naming the asset (or job, schedule, sensor) and the rule it breaks.
"""

from __future__ import annotations

import ast
import functools
import importlib.util
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import dagster as dg

from dag_shared.locations import REGISTRY
from dag_shared.locations import location as registered
from dag_shared.pii import ACCESS_LEVELS, PII_TAG, pii_columns

DATA_TIERS = frozenset({"bronze", "silver", "gold"})
REQUIRED_TAGS = ("data_tier", "domain", "source")
MAX_KINDS = 3

LOCATION_GROUPS: Mapping[str, frozenset[str]] = {entry.name: frozenset(entry.groups) for entry in REGISTRY}

# Kinds that mean "this asset is a table", which must then declare its column schema.
TABLE_KINDS = frozenset({"table", "postgres", "postgresql", "duckdb", "sqlite", "view"})

# Optional tags (guidelines §4, §16): absent is fine, present must take one of these values.
# docs/guidelines.md lists the same table; shared/tests/test_guidelines_doc.py keeps them together.
OPTIONAL_TAG_VALUES: Mapping[str, frozenset[str]] = {
    "quality": frozenset({"raw", "validated", "curated"}),
    "business_critical": frozenset({"true", "false"}),
    "pii": frozenset({"true", "false"}),
    "access_level": ACCESS_LEVELS,
    "compliance": frozenset({"pipa", "gdpr"}),
}

DESCRIPTION_RULE = "asset has a description"
OPTIONAL_TAG_RULE = "optional tag has an allowed value"
PII_TAGS_RULE = "asset with pii columns is tagged pii=true with an access_level"
PII_COLUMNS_RULE = "asset tagged pii=true marks its pii columns in dagster/column_schema"

# The guidelines' "Allowed Kinds Values", kept verbatim in a data file beside this module.
ALLOWED_KINDS = frozenset(
    line.strip()
    for line in (Path(__file__).parent / "allowed_kinds.txt").read_text().splitlines()
    if line.strip() and not line.startswith("#")
)


@dataclass(frozen=True, order=True)
class Violation:
    location: str
    subject: str
    rule: str
    detail: str

    def __str__(self) -> str:
        return f"[{self.location}] {self.subject}: {self.rule} ({self.detail})"


def _asset_violations(location: str, defs: dg.Definitions) -> Iterable[Violation]:
    graph = defs.resolve_asset_graph()
    groups = LOCATION_GROUPS.get(location, frozenset())
    prefix = f"{location}_"
    for key in sorted(graph.get_all_asset_keys()):
        node = graph.get(key)
        if not node.is_materializable:
            continue  # source assets of other locations are referenced by key only
        name = key.to_user_string()

        def violation(rule: str, detail: str, subject: str = f"asset {name}") -> Violation:
            return Violation(location, subject, rule, detail)

        if not name.startswith(prefix) or len(key.path) != 1:
            yield violation("asset key starts with the location prefix", f"expected '{prefix}…'")
        searched = _name_not_found(location, defs, key)
        if searched is not None:
            yield violation(NAME_RULE, f"'{key.path[-1]}' appears nowhere in {searched}")
        tags = node.tags
        if tags.get("data_tier") not in DATA_TIERS:
            yield violation("data_tier tag is bronze, silver or gold", f"got {tags.get('data_tier')!r}")
        for tag in ("domain", "source"):
            if not tags.get(tag):
                yield violation(f"'{tag}' tag present", "missing")
        kinds = set(node.kinds)
        if not kinds:
            yield violation("at least one kind", "no kinds")
        if len(kinds) > MAX_KINDS:
            yield violation(f"at most {MAX_KINDS} kinds", f"{sorted(kinds)}")
        for kind in sorted(kinds - ALLOWED_KINDS):
            yield violation("kind from the allowed list", f"'{kind}' is not allowed")
        if node.group_name not in groups:
            yield violation(
                "group is one of the location's groups", f"'{node.group_name}' not in {sorted(groups)}"
            )
        if kinds & TABLE_KINDS and "dagster/column_schema" not in node.metadata:
            yield violation(
                "table assets declare dagster/column_schema", "no column schema in definition metadata"
            )
        yield from (violation(rule, detail) for rule, detail in _guideline_violations(node))


def _guideline_violations(node) -> Iterable[tuple[str, str]]:
    """Issue 17's rules: description, optional tag values, PII marking (as (rule, detail) pairs)."""
    if not (node.description or "").strip():
        yield DESCRIPTION_RULE, "no description (docstring or description=)"
    tags = node.tags
    for tag, allowed in OPTIONAL_TAG_VALUES.items():
        if tag in tags and tags[tag] not in allowed:
            yield OPTIONAL_TAG_RULE, f"{tag}={tags[tag]!r}, allowed: {sorted(allowed)}"
    columns = pii_columns(node.metadata)
    if columns and (tags.get(PII_TAG) != "true" or tags.get("access_level") not in ACCESS_LEVELS):
        found = f"pii={tags.get(PII_TAG)!r}, access_level={tags.get('access_level')!r}"
        yield PII_TAGS_RULE, f"columns {list(columns)} are pii; tags {found}"
    if tags.get(PII_TAG) == "true" and not columns:
        yield PII_COLUMNS_RULE, "no column of its column schema carries the tag pii=true"


NAME_RULE = "asset name is found in the defs folder"


def _name_not_found(location: str, defs: dg.Definitions, key: dg.AssetKey) -> str | None:
    """Where the asset's name was looked for in vain, or None when it was found (or cannot be
    looked for: no Python function behind the asset).

    The guideline: an asset's key is the name a person searches for, and its file is found from
    it. So the name must appear literally in the location's `defs/` folder (the package
    `dag_<location>.defs`, or the `defs` package the asset's function lives in): as a module's
    file name, a function's name (a decorated asset) or a string (a step table that builds
    assets from a list of names). An asset defined outside any `defs/` folder is looked for in
    its own module.
    """
    compute_fn = getattr(defs.resolve_assets_def(key).op, "compute_fn", None)
    function = getattr(compute_fn, "decorated_fn", None)
    module = getattr(function, "__module__", None)
    if module is None:
        return None
    folder = _defs_folder(module, location)
    paths = sorted(folder.rglob("*.py")) if folder is not None else _module_file(module)
    if key.path[-1] in _names_in(tuple(paths)):
        return None
    return str(folder) if folder is not None else (str(paths[0]) if paths else f"module {module}")


def _defs_folder(module: str, location: str) -> Path | None:
    parts = module.split(".")
    candidates = [".".join(parts[: parts.index("defs") + 1])] if "defs" in parts else []
    own = f"{registered(location).module}.defs" if location in LOCATION_GROUPS else f"dag_{location}.defs"
    for name in [*candidates, own]:
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            continue
        if spec is not None and spec.submodule_search_locations:
            return Path(next(iter(spec.submodule_search_locations)))
    return None


def _module_file(module: str) -> list[Path]:
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        return []
    return [Path(spec.origin)] if spec is not None and spec.origin and spec.origin.endswith(".py") else []


@functools.cache
def _names_in(paths: tuple[Path, ...]) -> frozenset[str]:
    """File names, function names and string constants of these Python files."""
    names: set[str] = set()
    for path in paths:
        names.add(path.stem)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                names.add(node.name)
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                names.add(node.value)
    return frozenset(names)


def _job_violations(location: str, defs: dg.Definitions) -> Iterable[Violation]:
    job_names = {job.name for job in defs.resolve_all_job_defs()}
    for job in defs.jobs or []:
        if not isinstance(job, dg.JobDefinition):  # an asset job, resolved lazily
            resolved = defs.resolve_job_def(job.name)
            selected = resolved.asset_layer.executable_asset_keys
            checks = resolved.asset_layer.asset_graph.asset_check_keys
            if not selected and not checks:
                yield Violation(
                    location,
                    f"job {job.name}",
                    "job selection resolves to at least one asset",
                    "selects nothing",
                )
    triggers = [("schedule", s) for s in defs.schedules or []] + [("sensor", s) for s in defs.sensors or []]
    for kind, trigger in triggers:
        for target_job in _target_job_names(trigger):
            if target_job not in job_names:
                yield Violation(
                    location,
                    f"{kind} {trigger.name}",
                    "targets a registered job",
                    f"'{target_job}' is not registered",
                )


def _target_job_names(definition) -> list[str]:
    targets = getattr(definition, "targets", None) or []
    names = []
    for target in targets:
        targets_a_job = getattr(target, "has_job_def", False) or getattr(target, "job_name", None)
        if targets_a_job and not getattr(target, "assets_defs", None):
            names.append(target.job_name)
    return names


def check_location(location: str, defs: dg.Definitions) -> list[Violation]:
    """Every violation of the guidelines in one location's definitions."""
    try:
        defs.get_repository_def()
    except dg.DagsterInvalidDefinitionError as error:
        # Dagster itself rejects, for example, a schedule or sensor whose job is not registered.
        return [
            Violation(location, "definitions", "definitions resolve (targets are registered)", str(error))
        ]
    return sorted([*_asset_violations(location, defs), *_job_violations(location, defs)])


def duplicate_asset_keys(keys_by_location: Mapping[str, Iterable[str]]) -> list[Violation]:
    """Asset keys owned by more than one location (each key has exactly one owner)."""
    owners: dict[str, list[str]] = defaultdict(list)
    for location, keys in keys_by_location.items():
        for key in keys:
            owners[key].append(location)
    return [
        Violation(
            ",".join(sorted(locations)),
            f"asset {key}",
            "no duplicate asset keys across locations",
            f"owned by {sorted(locations)}",
        )
        for key, locations in sorted(owners.items())
        if len(locations) > 1
    ]


def owned_asset_keys(defs: dg.Definitions) -> list[str]:
    """The keys a location materializes (not those it only references as upstream sources)."""
    graph = defs.resolve_asset_graph()
    return sorted(
        key.to_user_string() for key in graph.get_all_asset_keys() if graph.get(key).is_materializable
    )


def check_platform(definitions_by_location: Mapping[str, dg.Definitions]) -> list[Violation]:
    """Every violation across the platform: each location's, plus asset keys owned twice."""
    violations: list[Violation] = []
    keys_by_location: dict[str, list[str]] = {}
    for location, defs in definitions_by_location.items():
        location_violations = check_location(location, defs)
        violations += location_violations
        if not any(v.subject == "definitions" for v in location_violations):
            keys_by_location[location] = owned_asset_keys(defs)
    return sorted(violations + duplicate_asset_keys(keys_by_location))


def check_materialization_metadata(
    asset_key: dg.AssetKey, metadata: Mapping[str, object], is_table: bool
) -> list[str]:
    """What one materialization's metadata lacks: row count always, preview and schema for tables."""
    missing = []
    if "dagster/row_count" not in metadata:
        missing.append(f"{asset_key.to_user_string()}: materialization reports no dagster/row_count")
    if is_table:
        for key in ("preview", "dagster/column_schema"):
            if key not in metadata:
                missing.append(f"{asset_key.to_user_string()}: table materialization has no {key}")
    return missing
