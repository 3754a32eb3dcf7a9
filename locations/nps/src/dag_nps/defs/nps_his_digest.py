"""Silver asset `nps_his_digest` and its check `nps_quarantine_below_threshold`.

The asset decodes, types and de-duplicates the month's file into the DuckDB table
`nps_pension_silver` (`dag_nps.lib.digest`, `dag_nps.lib.silver`), replacing that month once the
guards of `dag_nps.lib.load_guard` pass. The check holds every digested month to
NPS_QUARANTINE_MAX_RATIO.
"""

import dagster as dg
from dag_shared.resources.duckdb import DuckDBResource

from dag_nps.defs.month_range import BACKFILL_POLICY, DONE, SKIPPED, range_metadata, walk_months
from dag_nps.defs.partitions import NPS_MONTHS, month_keys
from dag_nps.defs.resources import NpsSourceResource
from dag_nps.lib.silver import SILVER_COLUMNS

SILVER_SCHEMA = dg.TableSchema(
    columns=[
        dg.TableColumn(name, kind, description=description) for name, kind, description in SILVER_COLUMNS
    ]
)


class NpsDigestConfig(dg.Config):
    """Run config of `nps_his_digest` (Launchpad or `--config-json`)."""

    allow_shrink: bool = False
    """Confirm a real drop: load the month even when it keeps fewer than NPS_MIN_ROW_SHARE of the
    rows it replaces. Recorded with the month, so the Postgres load accepts the same drop."""


@dg.asset(
    group_name="NPS",
    partitions_def=NPS_MONTHS,
    pool="nps_duckdb",  # one writer of the DuckDB file at a time across runs
    deps=["nps_his_download"],
    backfill_policy=BACKFILL_POLICY,  # a backfill is one run over its months (defs/month_range.py)
    kinds={"python", "polars", "duckdb"},
    tags={"data_tier": "silver", "domain": "pension", "source": "national_pension"},
    metadata={
        "dagster/column_schema": SILVER_SCHEMA,
        "table": "nps_pension_silver (DuckDB, .dag/duckdb/nps.duckdb)",
    },
    description="CP949 원본을 디코딩·정제·타입 변환하여 DuckDB nps_pension_silver에 월 단위로 교체 적재 (검증 통과 시에만).",
)
def nps_his_digest(
    context: dg.AssetExecutionContext,
    config: NpsDigestConfig,
    nps_duckdb: DuckDBResource,
    nps_source: NpsSourceResource,
) -> dg.MaterializeResult:
    """Replace the month of `nps_pension_silver`; unparseable rows go to `nps_digest_quarantine`.

    The month is refused (nothing replaced, the run fails naming the file and the numbers) when
    the file is mostly another month, quarantines too many rows or shrinks the month implausibly.

    A range run (a backfill) digests each month in order and skips a month whose statistics row
    was digested from the very file (SHA-256) the ledger holds now.
    """
    months = month_keys(context)
    if len(months) == 1:
        return dg.MaterializeResult(
            metadata=_digest_month(context, months[0], config, nps_duckdb, nps_source)
        )

    def month(key: str) -> dict:
        from dag_nps.lib.ledger import ensure_ledger, file_for_month
        from dag_nps.lib.silver import digested_sha256, loaded_month_counts

        with nps_duckdb.get_connection() as conn:
            ensure_ledger(conn)
            entry = file_for_month(conn, key)
            digested = digested_sha256(conn, key)
            kept = loaded_month_counts(conn).get(key, 0)
        if entry is not None and digested == entry.sha256:
            return {"status": SKIPPED, "rows": kept, "rows_quarantined": 0}
        digested_month = _digest_month(context, key, config, nps_duckdb, nps_source)
        return {"status": DONE, "rows": digested_month["dagster/row_count"].value,
                "rows_quarantined": digested_month["rows_quarantined"]}  # fmt: skip

    return dg.MaterializeResult(metadata=range_metadata(walk_months(context, months, month), "rows"))


def _digest_month(
    context: dg.AssetExecutionContext,
    month: str,
    config: NpsDigestConfig,
    nps_duckdb: DuckDBResource,
    nps_source: NpsSourceResource,
) -> dict:
    """Digest one month into silver; its materialization metadata."""
    from pathlib import Path

    from dag_shared.load_guards import LoadRefused
    from dag_shared.metadata import frame_metadata

    from dag_nps.lib.digest import digest_file
    from dag_nps.lib.ledger import ensure_ledger, file_for_month
    from dag_nps.lib.load_guard import GuardLimits, check_digest
    from dag_nps.lib.silver import ensure_silver, loaded_month_counts, replace_month

    with nps_duckdb.get_connection() as conn:
        ensure_ledger(conn)
        entry = file_for_month(conn, month)
    if entry is None:
        raise dg.Failure(f"no valid bronze file for data month {month}: materialize nps_his_download first")
    digest = digest_file(Path(entry.file_path), month)
    for item in digest.quarantine[:20]:
        context.log.warning(f"quarantined {item[1]} line {item[2]}: {item[3]}")
    source = nps_source.settings()
    limits = GuardLimits(source.quarantine_max_ratio, source.min_row_share, config.allow_shrink)
    with nps_duckdb.get_connection() as conn:
        ensure_silver(conn)
        loaded = loaded_month_counts(conn)
        try:
            shrink_confirmed = check_digest(digest, month, entry.release_key, loaded, limits)
        except LoadRefused as refused:
            raise dg.Failure(
                description=str(refused),
                metadata={
                    "file": entry.file_path,
                    "rows_read": digest.rows_read,
                    "rows_kept": digest.frame.height,
                    "rows_quarantined": len(digest.quarantine),
                    "rows_per_month": dg.MetadataValue.json(digest.month_counts(month)),
                    "loaded_rows_of_month": loaded.get(month, 0),
                },
                allow_retries=False,
            ) from None
        replace_month(
            conn, month, digest, entry.release_key, entry.sha256, entry.source_encoding, shrink_confirmed
        )
    context.log.info(
        f"{month}: {digest.frame.height} rows into nps_pension_silver, {digest.duplicates_removed} duplicates "
        f"removed, {len(digest.quarantine)} quarantined"
    )
    return {
        **frame_metadata(digest.frame),
        "dagster/column_schema": SILVER_SCHEMA,  # the DuckDB column types, described
        "file": entry.release_key,
        "sha256": entry.sha256,
        "source_encoding": entry.source_encoding,
        "rows_read": digest.rows_read,
        "duplicates_removed": digest.duplicates_removed,
        "rows_quarantined": len(digest.quarantine),
        "previous_rows": loaded.get(month, 0),
        "shrink_confirmed": shrink_confirmed,
        "header": ",".join(digest.header),
    }


@dg.asset_check(
    asset="nps_his_digest",
    description="Quarantined rows stay below NPS_QUARANTINE_MAX_RATIO of every digested month.",
)
def nps_quarantine_below_threshold(
    nps_duckdb: DuckDBResource, nps_source: NpsSourceResource
) -> dg.AssetCheckResult:
    from dag_nps.lib.silver import FILES_TABLE, table_exists

    max_ratio = nps_source.settings().quarantine_max_ratio
    with nps_duckdb.get_connection() as duck:
        if not table_exists(duck, FILES_TABLE):
            return dg.AssetCheckResult(passed=False, description="nothing digested yet")
        rows = duck.execute(
            f"SELECT data_month, rows_read, rows_quarantined FROM {FILES_TABLE} ORDER BY data_month"
        ).fetchall()
    over = {m: q / r for m, r, q in rows if r and q / r > max_ratio}
    return dg.AssetCheckResult(
        passed=bool(rows) and not over,
        metadata={"threshold": max_ratio, "months_over": dg.MetadataValue.json(over),
                  "quarantined_rows": sum(q for _, _, q in rows)},
    )  # fmt: skip
