"""Readiness of code servers through the standard gRPC health-checking protocol.

The webserver does not retry a code server that was unreachable when it loaded the workspace, so
the stack starts the webserver and daemon only once every code server answers SERVING.

A code server's own health check keeps answering SERVING when the definitions server under it has
died, so the running stack also sends each location Dagster's `Ping`, which the code server
forwards to its definitions server.
"""

from __future__ import annotations

import time

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

DAGSTER_SERVICE = "DagsterApi"
PING_METHOD = "/api.DagsterApi/Ping"  # an empty PingRequest serialises to no bytes


def is_serving(host: str, port: int, timeout: float = 1.0) -> bool:
    try:
        with grpc.insecure_channel(f"{host}:{port}") as channel:
            response = health_pb2_grpc.HealthStub(channel).Check(
                health_pb2.HealthCheckRequest(service=DAGSTER_SERVICE), timeout=timeout
            )
    except grpc.RpcError:
        return False
    return response.status == health_pb2.HealthCheckResponse.SERVING


def answers_ping(host: str, port: int, timeout: float = 2.0) -> bool:
    """Whether the location's definitions server answers, through its code server."""
    try:
        with grpc.insecure_channel(f"{host}:{port}") as channel:
            channel.unary_unary(PING_METHOD)(b"", timeout=timeout)
    except grpc.RpcError:
        return False
    return True


def wait_until_serving(
    endpoints: dict[str, tuple[str, int]],
    timeout: float,
    alive=lambda name: True,
    last_output=lambda name: "",
) -> None:
    """Block until every named endpoint is SERVING; fail early, with its last output, if its process died."""
    pending = dict(endpoints)
    deadline = time.monotonic() + timeout
    while pending:
        for name, (host, port) in list(pending.items()):
            if not alive(name):
                raise RuntimeError(
                    f"code server {name} exited before serving; its last output:\n{last_output(name)}"
                )
            if is_serving(host, port):
                del pending[name]
        if not pending:
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"code servers not serving after {timeout:.0f}s: {sorted(pending)}")
        time.sleep(0.2)
