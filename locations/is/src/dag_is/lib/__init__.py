"""Domain code of the `is` location (no dagster): crawl-file reading, ingest SQL, signatures, DDL."""
