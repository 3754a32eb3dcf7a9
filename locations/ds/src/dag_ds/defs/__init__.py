"""Dagster definitions of the `ds` location, autoloaded by `definitions.py`: one module per asset."""
