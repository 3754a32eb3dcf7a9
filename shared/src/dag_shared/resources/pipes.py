"""Pipes client factory: external steps run as local subprocesses, or in Docker when configured.

Set DAG_PIPES_DOCKER_IMAGE to run them in containers (dagster-docker must then be installed,
through the `docker` extra of dag-shared).
"""

from __future__ import annotations

import dagster as dg

from dag_shared.settings import env


def pipes_client() -> object:
    image = env("DAG_PIPES_DOCKER_IMAGE")
    if not image:
        return dg.PipesSubprocessClient()
    try:
        from dagster_docker import PipesDockerClient
    except ImportError as error:
        raise RuntimeError(
            "DAG_PIPES_DOCKER_IMAGE is set but dagster-docker is not installed in this location; "
            "add the `docker` extra of dag-shared to its dependencies"
        ) from error
    return PipesDockerClient()
