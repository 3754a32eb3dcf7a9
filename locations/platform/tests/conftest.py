"""Fixtures of the `platform` suite: a throw-away Postgres database for the `alerts` table."""

pytest_plugins = ["dag_shared.testing"]
