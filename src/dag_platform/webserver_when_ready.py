"""`python -m dag_platform.webserver_when_ready MARKER HOST:PORT... -- <dagster-webserver arguments>`

The webserver loads the workspace once, at start-up, and does not retry a code server that was
not answering yet, so it must start after every code server serves (and after the instance
migration, which creates MARKER). Importing it takes seconds, though; this wrapper does the import
while the code servers load, waits for the marker and their gRPC health checks, then runs the
webserver in the same process.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from dag_platform.grpc_health import wait_until_serving

READY_TIMEOUT_SECONDS = 300


def main(argv: list[str]) -> None:
    separator = argv.index("--")
    marker, addresses = Path(argv[0]), argv[1:separator]
    endpoints = {}
    for address in addresses:
        host, port = address.rsplit(":", 1)
        endpoints[address] = (host, int(port))
    from dagster_webserver.cli import main as webserver_main

    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while not marker.exists():
        if time.monotonic() > deadline:
            raise TimeoutError(f"the instance migration did not finish ({marker} missing)")
        time.sleep(0.1)
    wait_until_serving(endpoints, timeout=READY_TIMEOUT_SECONDS)
    sys.argv = ["dagster-webserver", *argv[separator + 1 :]]
    webserver_main()


if __name__ == "__main__":
    main(sys.argv[1:])
