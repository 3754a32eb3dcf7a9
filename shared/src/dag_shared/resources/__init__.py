"""Dagster resources for every external system, each with a live and a local implementation.

Submodules are imported by name (`dag_shared.resources.postgres`, ...) so a location pays only
for the clients it uses.
"""
