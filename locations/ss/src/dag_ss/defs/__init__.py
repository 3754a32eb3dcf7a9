"""Dagster definitions of the `ss` location, autoloaded by `definitions.py`: one module per asset."""
