"""Dagster definitions of the `is` location, autoloaded by `definitions.py`: one module per asset."""
