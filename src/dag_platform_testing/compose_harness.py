"""Drive the container stack (docker-compose.yml) from outside, as an operator would.

Used by tests_compose/ (`make test-compose`). It works on a copy of the checkout (made with
stack_harness.copy_checkout), so the tests can edit code and redeploy without touching the working
tree; it writes the `.env` a user would write and talks to Docker through the CLI only.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from dag_shared.embedded_postgres import free_port

from dag_platform.graphql import DagsterGraphQL


def compose_command() -> list[str]:
    """`docker compose` (v2 plugin) when present, else Debian's docker-compose (v1), as the Makefile."""
    probe = subprocess.run(["docker", "compose", "version"], capture_output=True, check=False)
    return ["docker", "compose"] if probe.returncode == 0 else ["docker-compose"]


def compose_environment(timeout: float) -> dict[str, str]:
    """The caller's environment with docker-compose's HTTP timeout raised to the command's own: on
    the vfs driver, creating six containers at once copies six image file systems and outlasts the
    default 60 s read timeout (CI saw `compose up` fail that way)."""
    seconds = str(int(timeout))
    return {"COMPOSE_HTTP_TIMEOUT": seconds, "DOCKER_CLIENT_TIMEOUT": seconds, **os.environ}


@dataclass
class ComposeStack:
    root: Path  # a copy of the checkout holding docker-compose.yml and the generated .env
    socket: str  # the Docker engine's unix socket on the host
    timings: dict[str, float] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)

    def write_env(self) -> None:
        """The `.env` of docs/deploy.md: a fresh password, the engine's socket and group, a free port."""
        self.env = {
            "POSTGRES_PASSWORD": secrets.token_urlsafe(18),
            "DAG_DOCKER_SOCKET": self.socket,
            "DAG_DOCKER_GID": str(os.stat(self.socket).st_gid),
            "DAG_WEBSERVER_PORT": str(free_port()),
        }
        for name in ("PYTHON_BUILD_IMAGE", "PYTHON_RUNTIME_IMAGE", "POSTGRES_IMAGE"):
            if os.environ.get(name):
                self.env[name] = os.environ[name]
        (self.root / ".env").write_text("".join(f"{k}={v}\n" for k, v in self.env.items()))

    def compose(self, *args: str, timeout: float = 600, check: bool = True) -> subprocess.CompletedProcess:
        result = subprocess.run(
            [*compose_command(), *args],
            cwd=self.root,
            env=compose_environment(timeout),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if check and result.returncode != 0:
            raise RuntimeError(
                f"compose {' '.join(args)} failed ({result.returncode}):\n{result.stderr[-4000:]}"
            )
        return result

    def make(self, *args: str, timeout: float = 1200) -> subprocess.CompletedProcess:
        result = subprocess.run(
            ["make", *args],
            cwd=self.root,
            env=compose_environment(timeout),  # `make deploy` runs docker-compose
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"make {' '.join(args)} failed:\n{result.stdout[-2000:]}\n{result.stderr[-4000:]}"
            )
        return result

    def build_images(self, services: list[str], keep_cache_for: tuple[str, ...] = ()) -> None:
        """Build one service's image at a time and drop the build cache after each: with the vfs
        storage driver every build step is a full copy of the file system, so the cache of all
        seven builds would not fit on a small disk. The services in `keep_cache_for` are built last
        and keep theirs, so redeploying them after a code edit rebuilds only the code layers."""
        started = time.monotonic()
        for service in [s for s in services if s not in keep_cache_for] + list(keep_cache_for):
            self.compose("build", service, timeout=1800)
            if service not in keep_cache_for:
                subprocess.run(["docker", "builder", "prune", "-af"], capture_output=True, check=False)
        self.timings["image builds"] = time.monotonic() - started

    @property
    def graphql(self) -> DagsterGraphQL:
        return DagsterGraphQL(f"http://127.0.0.1:{self.env['DAG_WEBSERVER_PORT']}", timeout=60)

    def container_id(self, service: str) -> str:
        return self.compose("ps", "-q", service).stdout.strip()

    def inspect(self, container: str) -> dict:
        output = subprocess.run(
            ["docker", "inspect", container], capture_output=True, text=True, check=True
        ).stdout
        return json.loads(output)[0]

    def health(self, service: str) -> str:
        state = self.inspect(self.container_id(service))["State"]
        return state.get("Health", {}).get("Status", state["Status"])

    def psql(self, database: str, query: str) -> str:
        return self.compose(
            "exec", "-T", "postgres", "psql", "-U", "dagster", "-d", database, "-tAc", query, timeout=60
        ).stdout.strip()

    def logs(self, *services: str) -> str:
        return self.compose("logs", "--no-color", "--tail", "80", *services, check=False).stdout[-6000:]

    def image_size(self, image: str) -> int:
        output = subprocess.run(
            ["docker", "image", "inspect", "--format", "{{.Size}}", image],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        return int(output.strip())
