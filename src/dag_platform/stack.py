"""`make dev`: the whole platform on one machine, started and stopped by one command.

Order: Postgres (embedded unless DAGSTER_POSTGRES_URL is set) -> `dagster instance migrate`
alongside the code servers: one process (code_proxy.py) serving every location's Dagster proxy, each
proxy starting its location's definitions server from the location's own environment, so a reload
restarts that location alone (`--proxy-per-location`: one `dagster code-server start` per location
instead; about 500 MiB more, but a crash of one proxy then touches one location only) ->
the webserver, which imports itself meanwhile and serves once every code server answers its gRPC
health check -> the daemon. It waits until every location is loaded, prints where
to look, then supervises (supervisor.py, location_health.py, postgres_watch.py): a crashed process
is restarted alone with backoff, a location whose definitions server died is reloaded, the embedded
Postgres is started again. On Ctrl-C or SIGTERM it stops everything it started, Postgres last.
"""

from __future__ import annotations

import argparse
import logging
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from dag_shared.settings import env

from dag_platform.code_proxy import ProxiedLocation
from dag_platform.code_proxy import arguments as proxy_arguments
from dag_platform.config import StackConfig, child_environment, load_config, render_workspace
from dag_platform.graphql import DagsterGraphQL
from dag_platform.grpc_health import wait_until_serving
from dag_platform.location_health import LocationHealthWatch
from dag_platform.postgres_setup import StackPostgres
from dag_platform.postgres_watch import PostgresWatch
from dag_platform.processes import ManagedProcess
from dag_platform.restart_policy import RestartPolicy
from dag_platform.supervisor import Supervisor

log = logging.getLogger("dag_platform.stack")

DEFAULT_HEALTH_INTERVAL_SECONDS = 5.0
CODE_PROXY = "code-proxy"  # the process serving every location's proxy (code_proxy.py)
SUPERVISOR_TICK_SECONDS = 0.5


class Stack:
    def __init__(self, config: StackConfig, echo: bool = True, shared_proxy: bool = True):
        self.config = config
        self.echo = echo
        self.shared_proxy = shared_proxy
        self.postgres = StackPostgres(config)
        self.processes: dict[str, ManagedProcess] = {}
        self.environment: dict[str, str] = {}
        self.policy = RestartPolicy.from_environment()
        self.supervisor = Supervisor(self.processes, self.policy, self._log_hint)
        self._spawners: dict[str, Callable[[], ManagedProcess]] = {}
        self._watch_stop = threading.Event()
        self._watch_thread: threading.Thread | None = None

    # -- start -------------------------------------------------------------------------------
    def start(self, load_timeout: float = 180) -> dict:
        started = time.monotonic()
        self._check_environments()
        self._prepare_home()
        self.postgres.start()
        self.environment = child_environment(
            {
                "DAGSTER_HOME": str(self.config.dagster_home),
                "DAG_DATA_DIR": str(self.config.data_dir),
                "DAGSTER_POSTGRES_URL": self.postgres.instance_url,
                **self.postgres.location_urls(),
            }
        )
        migration = self._start_migration()
        self._start_code_servers()
        endpoints = {loc.name: ("127.0.0.1", loc.port) for loc in self.config.locations}
        self._spawn(
            "webserver",
            [
                sys.executable,
                "-m",
                "dag_platform.webserver_when_ready",
                str(self._migrated_marker),
                *(f"{host}:{port}" for host, port in endpoints.values()),
                "--",
                "-w",
                str(self.config.workspace_file),
                "-h",
                self.config.webserver_host,
                "-p",
                str(self.config.webserver_port),
            ],
        )
        self._finish_migration(migration)
        log.info(f"instance schema current after {time.monotonic() - started:.1f}s")
        wait_until_serving(
            endpoints,
            timeout=load_timeout,
            alive=lambda name: self.processes[self._code_server_of(name)].alive(),
            last_output=lambda name: self.processes[self._code_server_of(name)].last_output(),
        )
        log.info(f"all code servers serving after {time.monotonic() - started:.1f}s")
        client = DagsterGraphQL(self.config.webserver_url)
        try:
            statuses = client.wait_until_loaded(
                [loc.name for loc in self.config.locations], timeout=load_timeout
            )
        finally:
            client.close()
        # The daemon starts once the UI is up: on two cores its start-up would otherwise delay the
        # webserver's, and nothing it does (schedules, sensors, the run queue) is needed before.
        self._spawn(
            "daemon",
            [
                str(Path(sys.executable).parent / "dagster-daemon"),
                "run",
                "-w",
                str(self.config.workspace_file),
            ],
        )
        elapsed = time.monotonic() - started
        self._report(statuses, elapsed)
        return statuses

    def _start_code_servers(self) -> None:
        """Every location's proxy in one `dag_platform.code_proxy` process, or one `code-server start` each."""
        if self.shared_proxy:
            locations = [
                ProxiedLocation(loc.name, loc.port, loc.module, loc.project_dir)
                for loc in self.config.locations
            ]
            self._spawn(
                CODE_PROXY,
                [sys.executable, "-m", "dag_platform.code_proxy", *proxy_arguments("127.0.0.1", locations)],
            )
            return
        for location in self.config.locations:
            self._spawn(
                location.name,
                [
                    str(location.dagster_executable),
                    "code-server",
                    "start",
                    "-m",
                    location.module,
                    "-h",
                    "127.0.0.1",
                    "-p",
                    str(location.port),
                    "--location-name",
                    location.name,
                    "--use-python-environment-entry-point",
                ],
                cwd=location.project_dir,
            )

    def _code_server_of(self, location: str) -> str:
        """The supervised process serving `location`'s proxy."""
        return CODE_PROXY if self.shared_proxy else location

    def _check_environments(self) -> None:
        missing = [
            str(loc.dagster_executable)
            for loc in self.config.locations
            if not loc.dagster_executable.exists()
        ]
        if missing:
            raise SystemExit(
                "location environments are missing; run `make sync` first: " + ", ".join(missing)
            )

    def _prepare_home(self) -> None:
        home = self.config.dagster_home
        home.mkdir(parents=True, exist_ok=True)
        instance_file = home / "dagster.yaml"
        source = self.config.root / "deploy" / "dagster.local.yaml"
        if instance_file.exists() and not instance_file.is_symlink():
            log.info(f"using the instance file already in DAGSTER_HOME: {instance_file}")
        else:
            instance_file.unlink(missing_ok=True)
            instance_file.symlink_to(source)
        self.config.workspace_file.write_text(render_workspace(self.config))

    @property
    def _migrated_marker(self) -> Path:
        return self.config.data_dir / "instance-migrated"

    def _start_migration(self) -> subprocess.Popen:
        """`dagster instance migrate` runs while the code servers load: they do not need it."""
        log.info("migrating the instance schema")
        self._migrated_marker.unlink(missing_ok=True)
        return subprocess.Popen(
            [sys.executable, "-m", "dagster", "instance", "migrate"],
            env=self.environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )

    def _finish_migration(self, migration: subprocess.Popen) -> None:
        output, _ = migration.communicate()
        if migration.returncode != 0:
            raise RuntimeError(f"dagster instance migrate failed:\n{output}")
        self._migrated_marker.touch()

    def _spawn(self, name: str, command: list[str], cwd: Path | None = None) -> None:
        def spawn() -> ManagedProcess:
            return ManagedProcess(
                name,
                command,
                self.environment,
                cwd or self.config.root,
                self.config.log_dir / f"{name}.log",
                self.echo,
                niceness=self.config.daemon_niceness if name == "daemon" else 0,
            )

        self._spawners[name] = spawn
        self.processes[name] = spawn()

    def _log_hint(self, name: str) -> str:
        return f" (see {self.config.log_dir / name}.log)"

    def _report(self, statuses: dict, elapsed: float) -> None:
        lines = [f"platform ready in {elapsed:.1f}s", f"  UI:        {self.config.webserver_url}"]
        for name, status in statuses.items():
            state = "loaded" if status.usable else f"FAILED: {status.error}"
            lines.append(f"  {name:<10} {state}")
        lines += [
            f"  logs:      {self.config.log_dir}",
            f"  data:      {self.config.data_dir}",
            "  stop with Ctrl-C",
        ]
        log.info("\n".join(lines))

    # -- supervise -----------------------------------------------------------------------------
    def supervise(self, stop_requested: threading.Event) -> None:
        """Until `stop_requested`: restart crashed processes, reload dead locations, watch Postgres."""
        # The code-server processes the locations were loaded from, before any restart can happen.
        loaded = {
            loc.name: self.processes[self._code_server_of(loc.name)].pid for loc in self.config.locations
        }
        for name, spawn in self._spawners.items():
            self.supervisor.adopt(name, spawn)
        self._watch_thread = threading.Thread(
            target=self._watch, args=(loaded,), name="health-watch", daemon=True
        )
        self._watch_thread.start()
        while not stop_requested.wait(SUPERVISOR_TICK_SECONDS):
            self.supervisor.tick()

    def _watch(self, loaded: dict[str, int]) -> None:
        interval = float(env("DAG_HEALTH_INTERVAL_SECONDS") or DEFAULT_HEALTH_INTERVAL_SECONDS)
        client = DagsterGraphQL(self.config.webserver_url, timeout=120)
        postgres = PostgresWatch(self.postgres, self.policy)
        locations = LocationHealthWatch(
            {loc.name: ("127.0.0.1", loc.port) for loc in self.config.locations},
            running_pid=lambda name: self.supervisor.running_pid(self._code_server_of(name)),
            loaded_pids=loaded,
            reload=lambda name: _reload(client, name),
            is_usable=lambda name: _usable(client, name),
            restart=lambda name, reason: self.supervisor.restart(
                self._code_server_of(name), f"{name}: {reason}"
            ),
        )
        try:
            while not self._watch_stop.wait(interval):
                for check in (postgres.check, locations.check):
                    try:
                        check()
                    except Exception:  # a failing check must not end the watch
                        log.exception("health check failed")
        finally:
            client.close()

    # -- stop ----------------------------------------------------------------------------------
    def stop(self) -> None:
        self.supervisor.stop()
        self._watch_stop.set()
        if self._watch_thread is not None:
            self._watch_thread.join(timeout=150)
        for name in ("webserver", "daemon"):
            if name in self.processes:
                self.processes.pop(name).stop()
        for name in list(self.processes):
            self.processes.pop(name).stop()
        self.postgres.stop()
        log.info("stack stopped")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="repository root (default: cwd)")
    parser.add_argument("--load-timeout", type=float, default=180, help="seconds to wait for the locations")
    parser.add_argument("--quiet", action="store_true", help="do not echo child output (it is still logged)")
    parser.add_argument(
        "--proxy-per-location",
        action="store_true",
        help="one `dagster code-server start` per location instead of one process serving every "
        "location's proxy (about 500 MiB more; a crashed proxy then reloads its location only)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s", stream=sys.stdout)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # the health watch's GraphQL calls

    stop_requested = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop_requested.set())

    stack = Stack(load_config(args.root), echo=not args.quiet, shared_proxy=not args.proxy_per_location)
    exit_code = 0
    try:
        stack.start(load_timeout=args.load_timeout)
        stack.supervise(stop_requested)
    except BaseException as error:  # noqa: BLE001 - whatever happened, stop what was started
        if not isinstance(error, KeyboardInterrupt):
            log.error(f"stack failed: {error}")
            exit_code = 1
    finally:
        stack.stop()
    return exit_code


def _reload(client: DagsterGraphQL, name: str) -> bool:
    try:
        status = client.reload(name)
    except Exception as error:  # noqa: BLE001 - the webserver may be down or restarting
        log.warning(f"{name}: reload through the webserver failed: {error}")
        return False
    if not status.usable:
        log.warning(f"{name}: reload finished but the location is not usable: {status.error}")
    return status.usable


def _usable(client: DagsterGraphQL, name: str) -> bool:
    try:
        return client.locations()[name].usable
    except Exception:  # noqa: BLE001 - the webserver may be down or restarting
        return False


if __name__ == "__main__":
    raise SystemExit(main())
