"""Generate the files that list the locations, from the registry in dag_shared.locations.

`python -m dag_platform.workspace_files` rewrites `dg.toml` (the dg workspace), `workspace.yaml`
(the local stack at the default ports) and `workspace.compose.yaml` (the container stack);
`--check` exits 1 when one of them is stale (the platform suite runs the same comparison), so
adding a location is one registry entry followed by this command.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from dag_shared.locations import REGISTRY
from dag_shared.settings import repository_root

from dag_platform.config import DEFAULT_CODE_SERVER_BASE_PORT, load_config, render_workspace

GENERATED = "Generated from dag_shared/locations.py by `python -m dag_platform.workspace_files`."


def render_dg_toml() -> str:
    lines = [
        "# The dg workspace: every location is a dg project with its own environment (`dg check defs`).",
        f"# {GENERATED}",
        'directory_type = "workspace"',
        "",
        "[workspace]",
    ]
    for location in REGISTRY:
        lines += ["", "[[workspace.projects]]", f'path = "{location.project_dir}"']
    return "\n".join(lines) + "\n"


def render_compose_workspace() -> str:
    lines = [
        "# The workspace of the container stack (docker-compose.yml): one gRPC code server per location,",
        "# each a compose service `code-<location>` serving on port 4000 from its own image.",
        f"# {GENERATED}",
        "load_from:",
    ]
    for location in REGISTRY:
        lines += [
            "  - grpc_server:",
            f"      host: code-{location.name}",
            "      port: 4000",
            f"      location_name: {location.name}",
        ]
    return "\n".join(lines) + "\n"


def expected_files(root: Path) -> dict[Path, str]:
    return {
        root / "dg.toml": render_dg_toml(),
        root / "workspace.yaml": render_workspace(load_config(root, DEFAULT_CODE_SERVER_BASE_PORT)),
        root / "workspace.compose.yaml": render_compose_workspace(),
    }


def stale_files(root: Path) -> list[str]:
    return [
        path.name
        for path, text in expected_files(root).items()
        if not path.exists() or path.read_text() != text
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report whether the files are current")
    args = parser.parse_args(argv)
    root = repository_root()
    if args.check:
        stale = stale_files(root)
        if stale:
            print(f"stale: {', '.join(stale)}; run `python -m dag_platform.workspace_files`", file=sys.stderr)
        return 1 if stale else 0
    for path, text in expected_files(root).items():
        path.write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
