"""`docs/migration.md` maps every legacy asset to exactly one new key, and the locations agree.

The document has one asset table per `### Location `<loc>`` heading, with the header
`| legacy asset | new asset key | group | status |`, and optionally a table of new assets without a
legacy name (`| new asset key | location | reason |`). These tests parse those tables.

The last tests compare the document with what the locations really define. The host environment
cannot import location code, so each location is asked in its own uv environment
(`uv run --project locations/<loc>`), which prints its asset keys as JSON.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
from dag_shared.locations import LOCATIONS
from dag_shared.locations import location as registered

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "migration.md"
STATUSES = {"ported", "planned"}

# The legacy inventory (legacy README): 108 assets in 9 groups, each group owned by one location.
LEGACY_GROUPS = {
    "CD": ("cd", 28),
    "CD_TURSO": ("cd", 18),
    "CD_HISTORY": ("cd", 9),
    "DS": ("ds", 7),
    "IS": ("is", 25),
    "SS": ("ss", 11),
    "SS_Dictionary": ("ss", 2),
    "NPS": ("nps", 5),
    "NPS_SaaS": ("nps", 3),
}
LEGACY_ASSET_COUNT = 108

ASSET_HEADER = ("legacy asset", "new asset key", "group", "status")
NEW_ONLY_HEADER = ("new asset key", "location", "reason")


@dataclass(frozen=True)
class Mapping:
    location: str | None
    legacy: str | None
    new: str
    group: str | None
    status: str | None


def _cells(line: str) -> tuple[str, ...]:
    return tuple(cell.strip().strip("`").strip() for cell in line.strip().strip("|").split("|"))


def _table_rows(text: str, header: tuple[str, ...]) -> list[tuple[str | None, tuple[str, ...]]]:
    """Rows of every table with this header, each paired with the location heading above it."""
    rows = []
    location = None
    in_table = False
    for line in text.splitlines():
        if line.startswith("#"):
            heading = re.match(r"#+ Location `(\w+)`", line)
            location = heading.group(1) if heading else None
        if not line.startswith("|"):
            in_table = False
            continue
        cells = _cells(line)
        if cells == header:
            in_table = True
        elif in_table and not re.fullmatch(r"[-:| ]*", line):
            rows.append((location, cells))
    return rows


@cache
def mappings() -> tuple[Mapping, ...]:
    text = DOC.read_text(encoding="utf-8")
    legacy = [Mapping(loc, *cells) for loc, cells in _table_rows(text, ASSET_HEADER)]
    new_only = [
        Mapping(cells[1], None, cells[0], None, None) for _, cells in _table_rows(text, NEW_ONLY_HEADER)
    ]
    return tuple(legacy + new_only)


def legacy_mappings() -> list[Mapping]:
    return [m for m in mappings() if m.legacy is not None]


@cache
def defined_asset_keys(location: str) -> list[str]:
    """The executable asset keys of one location's `Definitions`, asked in its own environment."""
    script = (
        "import json\n"
        f"from {registered(location).definitions_module} import defs\n"
        "graph = defs.resolve_asset_graph()\n"
        "print(json.dumps(sorted(key.to_user_string() for key in graph.executable_asset_keys)))\n"
    )
    command = [str(REPO / "scripts" / "uv.sh"), "run", "--frozen", "--project", f"locations/{location}"]
    environment = {name: value for name, value in os.environ.items() if name != "VIRTUAL_ENV"}
    result = subprocess.run(
        [*command, "python", "-c", script],
        check=False,
        cwd=REPO,
        env=environment,
        capture_output=True,
        text=True,
        timeout=900,
    )
    if result.returncode != 0:
        pytest.fail(f"could not load {registered(location).definitions_module}:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_doc_has_an_asset_table_for_every_location():
    # The operations location (platform) has no asset groups and nothing from the legacy system.
    assert {m.location for m in legacy_mappings()} == {loc for loc in LOCATIONS if registered(loc).groups}


def test_every_row_has_a_known_group_of_its_location_and_a_status():
    for m in legacy_mappings():
        assert m.group in LEGACY_GROUPS, f"{m.legacy}: unknown group {m.group!r}"
        assert LEGACY_GROUPS[m.group][0] == m.location, f"{m.legacy}: group {m.group} is not in {m.location}"
        assert m.status in STATUSES, f"{m.legacy}: status {m.status!r} is not one of {sorted(STATUSES)}"


def test_every_new_asset_key_starts_with_its_location_prefix():
    wrong = [f"{m.new} (location {m.location})" for m in mappings() if not m.new.startswith(f"{m.location}_")]
    assert wrong == []


def test_no_new_asset_key_appears_twice():
    counts = Counter(m.new for m in mappings())
    assert [key for key, n in counts.items() if n > 1] == []


def test_every_legacy_asset_is_mapped_exactly_once():
    counts = Counter(m.legacy for m in legacy_mappings())
    assert [name for name, n in counts.items() if n > 1] == []


def test_the_doc_lists_all_108_legacy_assets_in_their_nine_groups():
    assert len(legacy_mappings()) == LEGACY_ASSET_COUNT
    per_group = Counter(m.group for m in legacy_mappings())
    assert per_group == {group: count for group, (_, count) in LEGACY_GROUPS.items()}


@pytest.mark.parametrize("location", LOCATIONS)
def test_every_asset_a_location_defines_appears_in_the_doc_as_a_new_key(location):
    documented = {m.new for m in mappings() if m.location == location}
    missing = [key for key in defined_asset_keys(location) if key not in documented]
    assert missing == [], (
        f"location {location} defines asset keys that docs/migration.md does not list as new keys "
        f"of {location}: {missing}. Use the renaming rule in the doc, or list a genuinely new asset "
        "in its 'New assets without a legacy name' table."
    )


@pytest.mark.parametrize("location", LOCATIONS)
def test_assets_marked_ported_are_defined_by_their_location(location):
    ported = [m.new for m in legacy_mappings() if m.location == location and m.status == "ported"]
    defined = set(defined_asset_keys(location)) if ported else set()
    assert [key for key in ported if key not in defined] == []
