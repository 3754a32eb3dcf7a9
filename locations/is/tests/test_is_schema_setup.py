"""The schema setup every IS run starts its transaction with takes no table lock once the schema is
made: concurrent retention passes and ingests deadlocked on its DDL (found by the fault suite's
40 queued runs)."""

import psycopg
from dag_is.lib.ddl import ensure_schema


def test_a_made_schema_is_not_made_again_so_runs_take_no_ddl_locks(postgres_url):
    with psycopg.connect(postgres_url) as conn:
        ensure_schema(conn)
    with psycopg.connect(postgres_url) as holder:
        # Another run's transaction holding both tables the DDL would lock.
        holder.execute("LOCK TABLE post_signatures, post_snapshots IN ACCESS EXCLUSIVE MODE")
        with psycopg.connect(postgres_url) as conn:
            conn.execute("SET lock_timeout = '3s'")
            ensure_schema(conn)  # raises LockNotAvailable if it ran any DDL
            assert conn.execute(
                "SELECT count(*) FROM pg_locks WHERE pid = pg_backend_pid() "
                "AND locktype = 'relation' AND mode LIKE '%Exclusive%'"
            ).fetchone() == (0,)


def test_a_changed_schema_is_made_again(postgres_url):
    with psycopg.connect(postgres_url) as conn:
        ensure_schema(conn)
        conn.execute("DROP INDEX post_snapshots_timestamp_idx")
        conn.execute("COMMENT ON TABLE posts IS 'an older schema'")
    with psycopg.connect(postgres_url) as conn:
        ensure_schema(conn)
        marked = conn.execute("SELECT obj_description('posts'::regclass, 'pg_class')").fetchone()[0]
        index = conn.execute("SELECT to_regclass('post_snapshots_timestamp_idx')").fetchone()[0]
    assert marked.startswith("dag_is schema ") and index is not None
