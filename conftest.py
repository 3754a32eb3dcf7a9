"""Platform suite configuration: the shared Postgres fixtures for tests/ and shared/tests/."""

pytest_plugins = ["dag_shared.testing"]
