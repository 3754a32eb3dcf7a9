"""The logo crawler: one Python program run through Dagster Pipes, as a local process or in a
container (`python -m dag_shared.images.logo_crawler`). It needs dagster-pipes, Playwright,
psycopg and boto3, never dagster itself."""
