"""dag_ds: the `ds` code location (Logo/thumbnail service: crawler, object store, WebP, company thumbnails)."""
