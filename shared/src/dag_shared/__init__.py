"""dag_shared: the library every code location builds on.

Importing this package is cheap on purpose: definition loading must stay fast, so each
submodule imports its heavy dependencies (psycopg, duckdb, boto3, libsql, openai) only
when a resource is actually used inside a run.
"""
