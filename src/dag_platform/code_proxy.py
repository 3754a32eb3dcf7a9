"""Every location's code-server proxy in one process: `python -m dag_platform.code_proxy HOST LOC=PORT:MODULE:DIR ...`

`dagster code-server start` is two processes: a proxy that answers gRPC on the location's port and
a definitions server (`dagster api grpc`) it spawns from the location's environment and forwards
every call to; reloading the location makes the proxy start a new definitions server and drain the
old one. The proxy runs no user code, yet each one imports all of Dagster (about 100 MB resident),
so six of them were a third of the stack's memory (issue #19).

This process hosts Dagster's own proxy (`DagsterProxyApiServicer` behind a `DagsterGrpcServer`, the
pair `dagster code-server start` builds) once per location, each on the location's port and
spawning its definitions server from `locations/<loc>/.venv` exactly as before. Reloading a location
still restarts that location's definitions server only. The proxies share one process, though: if
it dies, every location's definitions server goes with it and the supervisor starts the process
again, so all locations reload; it runs only Dagster's forwarding code, so that is rare.

It exits once any location's proxy server has stopped (a ShutdownServer call), so the supervisor
restarts it whole rather than leaving one location silently unserved.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

log = logging.getLogger("dagster.code_server")


@dataclass(frozen=True)
class ProxiedLocation:
    name: str
    port: int
    module: str
    project_dir: Path

    @classmethod
    def parse(cls, argument: str) -> ProxiedLocation:
        """`LOC=PORT:MODULE:DIR`, as `arguments()` writes it."""
        name, rest = argument.split("=", 1)
        port, module, project_dir = rest.split(":", 2)
        return cls(name, int(port), module, Path(project_dir))

    def argument(self) -> str:
        return f"{self.name}={self.port}:{self.module}:{self.project_dir}"

    @property
    def python(self) -> Path:
        return self.project_dir / ".venv" / "bin" / "python"


def arguments(host: str, locations: list[ProxiedLocation]) -> list[str]:
    """The command-line arguments after `-m dag_platform.code_proxy` for these locations."""
    return [host, *(location.argument() for location in locations)]


def serve_location(host: str, location: ProxiedLocation, stopped: threading.Event) -> None:
    """Start the location's definitions server, serve its proxy on its port until it is shut down."""
    from dagster._cli.code_server import get_default_grpc_proxy_heartbeat_ttl
    from dagster._core.types.loadable_target_origin import LoadableTargetOrigin
    from dagster._core.utils import FuturesAwareThreadPoolExecutor
    from dagster._grpc.proxy_server import DagsterProxyApiServicer
    from dagster._grpc.server import DagsterGrpcServer

    termination = threading.Event()
    try:
        origin = LoadableTargetOrigin(
            executable_path=str(location.python),  # its server runs `<this python> -m dagster`
            module_name=location.module,
            working_directory=str(location.project_dir),
        )
        servicer = DagsterProxyApiServicer(
            loadable_target_origin=origin,
            fixed_server_id=None,
            container_image=None,
            container_context=None,
            inject_env_vars_from_instance=False,
            location_name=location.name,
            log_level="info",
            startup_timeout=0,
            server_termination_event=termination,
            instance_ref=None,
            logger=log,
            server_heartbeat=False,
            server_heartbeat_timeout=30,
            heartbeat_ttl=get_default_grpc_proxy_heartbeat_ttl(),
            defs_state_info=None,
        )
        server = DagsterGrpcServer(
            server_termination_event=termination,
            dagster_api_servicer=servicer,
            port=location.port,
            host=host,
            threadpool_executor=FuturesAwareThreadPoolExecutor(),
            logger=log,
        )
        log.info(f"{location.name}: code proxy serving on {host}:{location.port}")
        server.serve()
        log.warning(f"{location.name}: code proxy stopped")
    except Exception:
        log.exception(f"{location.name}: code proxy failed")
    finally:
        stopped.set()


def main(argv: list[str]) -> NoReturn:
    from dagster._utils.log import configure_loggers

    host, locations = argv[0], [ProxiedLocation.parse(argument) for argument in argv[1:]]
    configure_loggers(formatter="colored", log_level="INFO")
    stopped, interrupted = threading.Event(), threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: (interrupted.set(), stopped.set()))
    for location in locations:
        # Each proxy starts its definitions server in its constructor: all of them load at once.
        threading.Thread(
            target=serve_location, args=(host, location, stopped), name=f"proxy-{location.name}", daemon=True
        ).start()
    while not stopped.wait(1):  # a timed wait, so the signal handler runs promptly
        pass
    # The definitions servers are in this process group: the launcher's SIGTERM reached them too.
    # Leave now rather than wait for the proxies' thread pools, which may hang on a dead server.
    log.info("code proxy stopping" if interrupted.is_set() else "code proxy exiting: a location stopped")
    logging.shutdown()
    os._exit(0 if interrupted.is_set() else 1)


if __name__ == "__main__":
    main(sys.argv[1:])
