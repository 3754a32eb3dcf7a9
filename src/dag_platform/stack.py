"""`make dev`: the whole platform on one machine, started and stopped by one command.

Order: Postgres (embedded unless DAGSTER_POSTGRES_URL is set) -> `dagster instance migrate`
alongside one `dagster code-server start` per location from that location's own environment ->
the webserver, which imports itself meanwhile and serves once every code server answers its gRPC
health check -> the daemon. It waits until every location is loaded, prints where
to look, and on Ctrl-C or SIGTERM stops everything it started, Postgres last.
"""

from __future__ import annotations

import argparse
import logging
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from dag_platform.config import StackConfig, child_environment, load_config, render_workspace
from dag_platform.graphql import DagsterGraphQL
from dag_platform.grpc_health import wait_until_serving
from dag_platform.postgres_setup import StackPostgres
from dag_platform.processes import ManagedProcess

log = logging.getLogger("dag_platform.stack")


class Stack:
    def __init__(self, config: StackConfig, echo: bool = True):
        self.config = config
        self.echo = echo
        self.postgres = StackPostgres(config)
        self.processes: dict[str, ManagedProcess] = {}
        self.environment: dict[str, str] = {}

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
            alive=lambda name: self.processes[name].alive(),
            last_output=lambda name: self.processes[name].last_output(),
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
        source = self.config.root / "dagster.yaml"
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
        self.processes[name] = ManagedProcess(
            name,
            command,
            self.environment,
            cwd or self.config.root,
            self.config.log_dir / f"{name}.log",
            self.echo,
        )

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

    # -- run and stop --------------------------------------------------------------------------
    def first_dead_process(self) -> str | None:
        return next((name for name, proc in self.processes.items() if not proc.alive()), None)

    def stop(self) -> None:
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
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s", stream=sys.stdout)

    stop_requested = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop_requested.set())

    stack = Stack(load_config(args.root), echo=not args.quiet)
    exit_code = 0
    try:
        stack.start(load_timeout=args.load_timeout)
        while not stop_requested.wait(1.0):
            dead = stack.first_dead_process()
            if dead:
                log.error(
                    f"{dead} exited unexpectedly; stopping the stack (see {stack.config.log_dir / dead}.log)"
                )
                exit_code = 1
                break
    except BaseException as error:  # noqa: BLE001 - whatever happened, stop what was started
        if not isinstance(error, KeyboardInterrupt):
            log.error(f"stack failed: {error}")
            exit_code = 1
    finally:
        stack.stop()
    return exit_code


if __name__ == "__main__":
    raise SystemExit(main())
