"""dagster-docker's `PipesDockerClient`, adjusted for the crawler's container.

Two things the stock client leaves to the caller:
- it talks to the engine with docker-py's 60-second request timeout, and creating a container
  copies the image's whole file system on engines with the vfs storage driver (the private engine
  of `make test-compose`): the crawler image, Chromium included, can take longer than that under
  load. Creation gets `CREATE_TIMEOUT_SECONDS`; waiting for the exit had no timeout and keeps none.
- it stops the container but never removes it, so every crawl would leave one behind.
Imported only when a `_docker` asset runs (dagster-docker and docker-py stay out of definition load).
"""

from __future__ import annotations

from typing import Any

from dagster_docker import PipesDockerClient

CREATE_TIMEOUT_SECONDS = 600


class CrawlerDockerClient(PipesDockerClient):
    """`run()` as dagster-docker's, then `remove_container()` once the session is over."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._container: Any = None

    def _create_container(self, client, **kwargs: Any):  # client: docker-py's DockerClient
        client.api.timeout = CREATE_TIMEOUT_SECONDS
        self._container = super()._create_container(client, **kwargs)
        return self._container

    def remove_container(self) -> None:
        if self._container is not None:
            self._container.remove(force=True)
            self._container = None
