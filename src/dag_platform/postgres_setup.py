"""Postgres for the stack: the configured server, or an embedded one in the data directory.

The instance gets database `dagster`; each location whose `<LOC>_POSTGRES_URL` is unset gets its
own database named after it on the same server, so teams never share tables by accident.
"""

from __future__ import annotations

import logging

import psycopg
from dag_shared.embedded_postgres import EmbeddedPostgres, database_url, ensure_database
from dag_shared.settings import env

from dag_platform.config import StackConfig

log = logging.getLogger("dag_platform.stack")


class StackPostgres:
    def __init__(self, config: StackConfig):
        self.config = config
        self.embedded: EmbeddedPostgres | None = None
        self.instance_url: str = ""

    def start(self) -> None:
        configured = env("DAGSTER_POSTGRES_URL")
        if configured:
            self.instance_url = configured
            log.info("instance storage: the configured DAGSTER_POSTGRES_URL server")
            return
        self.embedded = EmbeddedPostgres(
            self.config.data_dir / "postgres", self.config.embedded_postgres_port
        )
        server_url = self.embedded.start()
        self.instance_url = ensure_database(server_url, "dagster")
        log.info(f"instance storage: embedded PostgreSQL on 127.0.0.1:{self.embedded.port}")

    def location_urls(self) -> dict[str, str]:
        """`<LOC>_POSTGRES_URL` for every location, creating databases where none is configured."""
        urls = {}
        server_url = database_url(self.instance_url, "postgres")
        for location in self.config.locations:
            variable = f"{location.name.upper()}_POSTGRES_URL"
            configured = env(variable)
            if configured:
                urls[variable] = configured
                continue
            try:
                urls[variable] = ensure_database(server_url, location.name)
            except (
                psycopg.Error
            ) as error:  # no CREATEDB right on a shared server: share the instance database
                log.warning(
                    f"could not create database {location.name!r} ({error}); {variable} uses the instance database"
                )
                urls[variable] = self.instance_url
        return urls

    def stop(self) -> None:
        if self.embedded is not None:
            self.embedded.stop()
            log.info("embedded PostgreSQL stopped")
