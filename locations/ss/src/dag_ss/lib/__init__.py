"""Domain code of the `ss` location: no dagster imports; heavy imports stay inside functions."""
