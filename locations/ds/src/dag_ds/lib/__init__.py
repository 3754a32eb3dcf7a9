"""Domain code of the `ds` location: no dagster imports; heavy imports inside functions."""
