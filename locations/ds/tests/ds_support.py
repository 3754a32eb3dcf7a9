"""Test support: run a DS job in process on the test's own database and data directory."""

from __future__ import annotations

import warnings

import dagster as dg

warnings.simplefilter("ignore", dg.BetaWarning)


def run_job(
    name: str,
    instance: dg.DagsterInstance | None = None,
    raise_on_error: bool = True,
    only: list[str] | None = None,
):
    """Runs a DS job in process (`only`: a subset of its assets, by name)."""
    from dag_ds.definitions import defs

    job = defs.resolve_job_def(name)
    return job.execute_in_process(
        instance=instance or dg.DagsterInstance.ephemeral(),
        raise_on_error=raise_on_error,
        asset_selection=[dg.AssetKey(n) for n in only] if only else None,
    )


def companies(postgres_url: str) -> dict[int, tuple[str, str | None, bool]]:
    import psycopg

    with psycopg.connect(postgres_url) as conn:
        rows = conn.execute("SELECT id, name, thumbnail, is_deleted FROM company").fetchall()
    return {row[0]: (row[1], row[2], row[3]) for row in rows}


def logo_updates(data_dir) -> list[tuple]:
    import duckdb

    with duckdb.connect(str(data_dir / "duckdb" / "ds.duckdb")) as conn:
        return conn.execute(
            "SELECT company_id, url, run_id FROM ds_logo_updates ORDER BY company_id"
        ).fetchall()
