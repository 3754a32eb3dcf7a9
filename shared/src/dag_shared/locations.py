"""The one registry of code locations: adding a location is one entry here.

Everything that needs the list takes it from this module: the settings (one warehouse URL per
location), the conventions checker (each location's groups), the local stack and its ports, the
Makefile (`python3 shared/src/dag_shared/locations.py` prints the names), and the generated files
`dg.toml`, `workspace.yaml` and `workspace.compose.yaml` (`python -m dag_platform.workspace_files`).
Platform tests hold docker-compose.yml and the Helm values to it. Standard library only, so the
Makefile can run it before any environment exists.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Location:
    name: str  # the code location's name in the UI, the asset-key prefix and the folder name
    team: str
    groups: tuple[str, ...]  # the asset groups the location may use
    # The package, when `dag_<name>` does not fit (the operations location: `dag_platform` is the host's).
    module_name: str = ""

    @property
    def module(self) -> str:
        return self.module_name or f"dag_{self.name}"

    @property
    def definitions_module(self) -> str:
        return f"{self.module}.definitions"

    @property
    def project_dir(self) -> str:
        return f"locations/{self.name}"


REGISTRY: tuple[Location, ...] = (
    Location("cd", "Korean equities", ("CD", "CD_TURSO", "CD_HISTORY")),
    Location("ds", "logo/thumbnail service", ("DS",)),
    Location("is", "community issue aggregator", ("IS",)),
    Location("ss", "community deal extraction", ("SS", "SS_Dictionary")),
    Location("nps", "National Pension Service", ("NPS", "NPS_SaaS")),
    # The operations location: alerts on failed runs and checks of every location (no assets).
    Location("platform", "platform operations", (), module_name="dag_ops"),
)

LOCATIONS: tuple[str, ...] = tuple(location.name for location in REGISTRY)


def location(name: str) -> Location:
    for entry in REGISTRY:
        if entry.name == name:
            return entry
    raise KeyError(f"unknown location {name!r}; the registry holds {', '.join(LOCATIONS)}")


if __name__ == "__main__":
    print(" ".join(LOCATIONS))
