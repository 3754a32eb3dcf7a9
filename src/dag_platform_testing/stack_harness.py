"""Drive `make dev`'s stack from outside, as an operator would: used by the stack test and benchmarks.

It runs `python -m dag_platform.stack` as a subprocess on free ports with its own data directory,
waits for the locations through GraphQL, reads the process tree, and stops it with SIGTERM.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psutil
from dag_shared.embedded_postgres import free_port
from dag_shared.settings import LOCATIONS

from dag_platform.graphql import DagsterGraphQL, LocationStatus

_PLAN_QUERY = """
query($location: String!, $job: String!) {
  executionPlanOrError(
    pipeline: {repositoryLocationName: $location, repositoryName: "__repository__", pipelineName: $job}
    mode: "default"
  ) { __typename }
}
"""
_JOBS_QUERY = """
query($location: String!) {
  repositoryOrError(repositorySelector: {repositoryLocationName: $location, repositoryName: "__repository__"}) {
    ... on Repository { jobs { name } }
  }
}
"""


def copy_checkout(source: Path, target: Path) -> Path:
    """Tracked and untracked (not ignored) files of the checkout, without any environment."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=source,
        check=True,
        capture_output=True,
    ).stdout.decode()
    for relative in filter(None, listed.split("\0")):
        origin = source / relative
        if origin.is_file():
            destination = target / relative
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(origin, destination)
    return target


def copy_repository(
    source: Path, target: Path, locations: tuple[str, ...] = LOCATIONS, link_the_others: bool = False
) -> Path:
    """A working copy of the checkout with fresh environments for the given locations and the host.

    With `link_the_others`, the host's and every other location's `.venv` are links to the
    source's, whose editable installs still import the source's code: right for what the caller
    leaves untouched (the stack's webserver and daemon run on the caller's interpreter anyway), and
    it spares a compiled environment each (two minutes in all)."""
    copy_checkout(source, target)
    uv = shutil.which("uv") or str(source / "scripts" / "uv.sh")
    fresh = [target / "locations" / name for name in locations]
    others = [target / "locations" / name for name in sorted(set(LOCATIONS) - set(locations))]
    linked = [target, *others] if link_the_others else []
    if not link_the_others:
        fresh.insert(0, target)
    for project in fresh:
        subprocess.run(
            [uv, "sync", "--frozen", "--quiet", "--compile-bytecode", "--project", str(project)],
            check=True,
            cwd=target,
        )
    for project in linked:
        (project / ".venv").symlink_to(source / project.relative_to(target) / ".venv")
    return target


def embedded_postgres_env() -> dict[str, str]:
    """Environment overrides that leave every Postgres URL empty: the stack's embedded default."""
    return {name: "" for name in ["DAGSTER_POSTGRES_URL", *(f"{l.upper()}_POSTGRES_URL" for l in LOCATIONS)]}


@dataclass
class RunningStack:
    root: Path
    data_dir: Path
    extra_env: dict[str, str] = field(default_factory=dict)
    python: str = sys.executable
    launcher_args: tuple[str, ...] = ()  # extra arguments of `python -m dag_platform.stack`
    locations: tuple[str, ...] = LOCATIONS  # what the stack at `root` serves (an older commit: fewer)
    process: subprocess.Popen | None = None
    webserver_port: int = 0
    postgres_port: int = 0  # of the embedded PostgreSQL, when the stack starts one
    started_at: float = 0.0

    def start(self) -> None:
        self.webserver_port = free_port()
        self.postgres_port = free_port()
        environment = dict(os.environ)
        environment.update(
            {
                "DAG_DATA_DIR": str(self.data_dir),
                "DAG_WEBSERVER_PORT": str(self.webserver_port),
                "DAG_CODE_SERVER_BASE_PORT": str(free_port(count=len(self.locations))),
                "DAG_EMBEDDED_POSTGRES_PORT": str(self.postgres_port),
                **self.extra_env,
            }
        )
        environment.pop("DAGSTER_HOME", None)
        self.started_at = time.monotonic()
        log = open(self.data_dir.parent / "stack-output.log", "wb")  # noqa: SIM115 - the child keeps writing to it
        self.process = subprocess.Popen(
            [
                self.python,
                "-m",
                "dag_platform.stack",
                "--root",
                str(self.root),
                "--quiet",
                *self.launcher_args,
            ],
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    @contextmanager
    def loaded(self, timeout: float = 240) -> Iterator[RunningStack]:
        """The stack started on a new data directory, every location loaded; stopped on exit."""
        self.data_dir.mkdir(parents=True)
        self.start()
        try:
            self.wait_until_loaded(timeout)
            yield self
        finally:
            self.stop()

    def embedded_database_url(self, database: str) -> str:
        """URL of one database on the stack's embedded PostgreSQL (a location's warehouse: its name)."""
        from dag_shared.embedded_postgres import SUPERUSER

        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.postgres_port}/{database}"

    @property
    def graphql(self) -> DagsterGraphQL:
        return DagsterGraphQL(f"http://127.0.0.1:{self.webserver_port}")

    def serves(self, location: str) -> bool:
        """The webserver gets an execution plan of one of the location's jobs from its definitions
        server (a location without jobs: it is loaded without error)."""
        client = self.graphql
        try:
            repository = client.query(_JOBS_QUERY, {"location": location})["repositoryOrError"]
            jobs = sorted(
                job["name"] for job in repository.get("jobs") or [] if not job["name"].startswith("__")
            )
            if not jobs:
                return client.locations()[location].usable
            plan = client.query(_PLAN_QUERY, {"location": location, "job": jobs[0]})
            return plan["executionPlanOrError"]["__typename"] == "ExecutionPlan"
        except Exception:  # noqa: BLE001 - errors while the location is away
            return False
        finally:
            client.close()

    def wait_until_loaded(self, timeout: float = 240) -> dict[str, LocationStatus]:
        client = self.graphql
        try:
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise RuntimeError(
                        f"stack exited with {self.process.returncode}: {self.output()[-3000:]}"
                    )
                try:
                    statuses = client.locations()
                    if len(statuses) == len(self.locations) and all(
                        s.load_status == "LOADED" for s in statuses.values()
                    ):
                        return statuses
                except Exception:  # noqa: BLE001, S110 - the webserver is not answering yet
                    pass
                time.sleep(0.2)
            raise TimeoutError(f"stack not loaded after {timeout}s: {self.output()[-3000:]}")
        finally:
            client.close()

    def output(self) -> str:
        path = self.data_dir.parent / "stack-output.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def processes(self) -> list[psutil.Process]:
        """The launcher and every descendant, plus the embedded Postgres (its own session)."""
        launcher = psutil.Process(self.process.pid)
        members = [launcher, *launcher.children(recursive=True)]
        postmaster = self.data_dir / "postgres" / "postmaster.pid"
        if postmaster.exists():
            pid = int(postmaster.read_text().splitlines()[0])
            if psutil.pid_exists(pid):
                server = psutil.Process(pid)
                members += [server, *server.children(recursive=True)]
        return members

    def code_server_pids(self) -> dict[str, tuple[int, int | None]]:
        """Per location: the process serving its proxy and the newest server it spawned for its definitions.

        One process shared by every location (dag_platform.code_proxy), or with
        `--proxy-per-location` one `dagster code-server start` per location. A reload starts a new
        definitions server and drains the old one, which then exits on its own, so only the newest
        child identifies what the location is serving now.
        """
        result: dict[str, tuple[int, int | None]] = {}
        for proxy in self._proxies():
            try:
                command = proxy.cmdline()
                children = proxy.children()
            except psutil.NoSuchProcess:
                continue
            served: dict[str, list[psutil.Process]] = {}
            if "code-server" in command:
                served[_location_argument(command)] = []
            else:
                served.update(
                    {
                        argument.split("=", 1)[0]: []
                        for argument in command[command.index("dag_platform.code_proxy") + 2 :]
                    }
                )
            for child in children:
                try:
                    served.setdefault(_location_argument(child.cmdline()), []).append(child)
                except (psutil.NoSuchProcess, ValueError):
                    continue
            for name, servers in served.items():
                newest = max(servers, key=lambda child: child.create_time(), default=None)
                result[name] = (proxy.pid, newest.pid if newest else None)
        return result

    def _proxies(self) -> list[psutil.Process]:
        found = []
        for proc in psutil.Process(self.process.pid).children():
            try:
                command = proc.cmdline()
            except psutil.NoSuchProcess:
                continue
            if "code-server" in command or "dag_platform.code_proxy" in command:
                found.append(proc)
        return found

    def role_pids(self) -> dict[str, int]:
        """PID of each role: `code-proxy` (the shared proxy), `webserver`, `daemon`, and each location by name.

        A location's PID is the definitions server the shared proxy runs for it, or with
        `--proxy-per-location` its own `dagster code-server start` process.
        """
        roles: dict[str, int] = {}
        for proc in psutil.Process(self.process.pid).children():
            try:
                command = proc.cmdline()
            except psutil.NoSuchProcess:
                continue
            if "code-server" in command:
                roles[_location_argument(command)] = proc.pid
            elif "dag_platform.code_proxy" in command:
                roles["code-proxy"] = proc.pid
                roles.update({name: pids[1] for name, pids in self.code_server_pids().items() if pids[1]})
            elif "dag_platform.webserver_when_ready" in command:
                roles["webserver"] = proc.pid
            elif any(part.endswith("dagster-daemon") for part in command):
                roles["daemon"] = proc.pid
        return roles

    def postmaster_pid(self) -> int | None:
        """The embedded PostgreSQL's postmaster while it runs."""
        try:
            pid = int((self.data_dir / "postgres" / "postmaster.pid").read_text().splitlines()[0])
        except (OSError, ValueError, IndexError):
            return None
        return pid if psutil.pid_exists(pid) else None

    def resident_memory(self) -> tuple[int, int]:
        return resident_memory(self.processes())

    def stop(self, timeout: float = 60) -> int:
        if self.process is None or self.process.poll() is not None:
            return self.process.returncode if self.process else 0
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            raise


def resident_memory(processes: list[psutil.Process]) -> tuple[int, int]:
    """(RSS, PSS) summed over processes: RSS counts shared pages once per process, PSS splits them."""
    rss = pss = 0
    for proc in processes:
        try:
            info = proc.memory_full_info()
        except psutil.NoSuchProcess:
            continue
        rss += info.rss
        pss += getattr(info, "pss", info.rss)
    return rss, pss


def _location_argument(command: list[str]) -> str:
    """The `--location-name` a code server or definitions server was started with."""
    return command[command.index("--location-name") + 1]
