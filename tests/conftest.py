pytest_plugins = ["dag_shared.testing"]
