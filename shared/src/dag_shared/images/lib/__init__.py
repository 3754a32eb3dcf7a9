"""Domain code of the image pipeline: no dagster imports, heavy imports inside functions."""
