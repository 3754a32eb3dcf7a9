"""Where every piece of the local stack lives and listens, resolved once from the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from dag_shared.locations import location as registered
from dag_shared.settings import LOCATIONS, env


@dataclass(frozen=True)
class LocationServer:
    name: str
    port: int
    project_dir: Path

    @property
    def module(self) -> str:
        return registered(self.name).definitions_module

    @property
    def dagster_executable(self) -> Path:
        return self.project_dir / ".venv" / "bin" / "dagster"


@dataclass(frozen=True)
class StackConfig:
    root: Path
    data_dir: Path
    webserver_host: str
    webserver_port: int
    embedded_postgres_port: int
    daemon_niceness: int = 0
    locations: tuple[LocationServer, ...] = field(default_factory=tuple)

    @property
    def dagster_home(self) -> Path:
        return Path(env("DAGSTER_HOME") or self.data_dir / "dagster_home")

    @property
    def workspace_file(self) -> Path:
        return self.data_dir / "workspace.yaml"

    @property
    def log_dir(self) -> Path:
        return self.data_dir / "logs"

    @property
    def webserver_url(self) -> str:
        return f"http://{self.webserver_host}:{self.webserver_port}"


DEFAULT_CODE_SERVER_BASE_PORT = 4100


def load_config(root: Path | None = None, base_port: int | None = None) -> StackConfig:
    """The stack's layout; `base_port` overrides DAG_CODE_SERVER_BASE_PORT (the generated files use the default)."""
    root = (root or Path.cwd()).resolve()
    data_dir = Path(env("DAG_DATA_DIR") or root / ".dag").expanduser().resolve()
    base_port = base_port or int(env("DAG_CODE_SERVER_BASE_PORT") or DEFAULT_CODE_SERVER_BASE_PORT)
    locations = tuple(
        LocationServer(name, base_port + index, root / "locations" / name)
        for index, name in enumerate(LOCATIONS)
    )
    return StackConfig(
        root=root,
        data_dir=data_dir,
        webserver_host=env("DAG_WEBSERVER_HOST") or "127.0.0.1",
        webserver_port=int(env("DAG_WEBSERVER_PORT") or 3000),
        embedded_postgres_port=int(env("DAG_EMBEDDED_POSTGRES_PORT") or 54329),
        daemon_niceness=daemon_niceness(env("DAG_DAEMON_NICENESS") or "10"),
        locations=locations,
    )


def daemon_niceness(value: str) -> int:
    """DAG_DAEMON_NICENESS as a number from 0 to 19, or an error naming the variable."""
    try:
        niceness = int(value)
    except ValueError:
        niceness = -1
    if not 0 <= niceness <= 19:
        raise ValueError(f"DAG_DAEMON_NICENESS must be a whole number from 0 to 19, not {value!r}")
    return niceness


def render_workspace(config: StackConfig) -> str:
    """workspace.yaml for the running stack: one grpc_server entry per location."""
    lines = [
        "# The local stack: one gRPC code server per location, each started from its own environment",
        "# (`dagster code-server start`) by `make dev`. Ports follow DAG_CODE_SERVER_BASE_PORT (default 4100).",
        "# Locations from dag_shared/locations.py (`python -m dag_platform.workspace_files` writes the default).",
        "load_from:",
    ]
    for location in config.locations:
        lines += [
            "  - grpc_server:",
            "      host: 127.0.0.1",
            f"      port: {location.port}",
            f"      location_name: {location.name}",
        ]
    return "\n".join(lines) + "\n"


# glibc gives every thread that allocates its own malloc arena, up to 8 per core; the stack's
# processes are gRPC and HTTP servers with 13 to 60 threads each, and the arenas' free space is
# memory no other process gets. Two arenas took about 25 MiB off the stack's RSS (docs/stack-memory.md).
MALLOC_ARENAS = "2"


def child_environment(extra: dict[str, str]) -> dict[str, str]:
    """The launcher's environment plus `extra`, with two malloc arenas unless MALLOC_ARENA_MAX is set."""
    environment = dict(os.environ)
    environment.setdefault("MALLOC_ARENA_MAX", MALLOC_ARENAS)
    environment.update(extra)
    return environment
