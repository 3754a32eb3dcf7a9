"""Bronze asset `nps_his_download`: the month's release, landed and validated, with a ledger.

The landing itself (portal or folder, validation, quarantine, the ledger) is `dag_nps.lib.bronze`;
this module turns its report into log lines, failures and materialization metadata.
"""

import dagster as dg
from dag_shared.resources.duckdb import DuckDBResource

from dag_nps.defs.month_range import BACKFILL_POLICY, DONE, SKIPPED, range_metadata, walk_months
from dag_nps.defs.partitions import NPS_MONTHS, month_keys
from dag_nps.defs.resources import NpsSourceResource
from dag_nps.lib.ledger import LEDGER_SCHEMA


@dg.asset(
    group_name="NPS",
    partitions_def=NPS_MONTHS,
    pool="nps_duckdb",  # one writer of the DuckDB file at a time across runs
    kinds={"python", "csv", "duckdb"},
    tags={"data_tier": "bronze", "domain": "pension", "source": "national_pension"},
    metadata={
        "source": "data.go.kr dataset 15083277 (live) or NPS_SOURCE_DIR (local)",
        "dagster/column_schema": dg.TableSchema(
            columns=[dg.TableColumn(name, kind) for name, kind in LEDGER_SCHEMA.items()]
        ),
    },
    backfill_policy=BACKFILL_POLICY,  # a backfill is one run over its months (defs/month_range.py)
    retry_policy=dg.RetryPolicy(max_retries=2, delay=10, backoff=dg.Backoff.EXPONENTIAL),
    description="국민연금 가입 사업장 월별 파일을 내려받아 검증 후 bronze 영역에 저장 (ledger: nps_download_ledger).",
)
def nps_his_download(
    context: dg.AssetExecutionContext, nps_duckdb: DuckDBResource, nps_source: NpsSourceResource
) -> dg.MaterializeResult:
    """Land the data month's file; a file that fails validation is quarantined with its reason.

    A range run (a backfill) lands each month in order; a month whose file the ledger already
    holds unchanged lands nothing and counts as skipped.
    """
    months = month_keys(context)
    source = nps_source.settings()
    if len(months) == 1:
        return dg.MaterializeResult(metadata=_land_month(context, months[0], nps_duckdb, source, True))

    def month(key: str) -> dict:
        landed = _land_month(context, key, nps_duckdb, source, False)
        fresh = landed["new_files"] or landed["file_changed"]
        return {"status": DONE if fresh else SKIPPED, "release": landed["release"],
                "size_bytes": landed["size_bytes"]}  # fmt: skip

    return dg.MaterializeResult(metadata=range_metadata(walk_months(context, months, month)))


def _land_month(
    context: dg.AssetExecutionContext, month: str, nps_duckdb: DuckDBResource, source, preview: bool
) -> dict:
    """Land one month; its materialization metadata (the ledger preview only when `preview`)."""
    from contextlib import contextmanager
    from pathlib import Path

    from dag_shared.metadata import duckdb_query_metadata

    from dag_nps.lib.bronze import land_local, land_portal, title_month_warning
    from dag_nps.lib.ledger import LEDGER_TABLE, ensure_ledger, file_for_month
    from dag_nps.lib.portal import PortalError

    landing = source.landing_dir()
    with nps_duckdb.get_connection() as conn:
        ensure_ledger(conn)
        if not source.is_live:
            report = land_local(conn, Path(source.source_dir), landing, month, source.min_file_bytes)

    if source.is_live:

        @contextmanager
        def connection():
            with nps_duckdb.get_connection() as conn:
                yield conn

        try:
            report = land_portal(
                connection,
                source.portal_base_url,
                landing,
                month,
                source.min_file_bytes,
                source.download_concurrency,
                context.log.info,
            )
        except PortalError as error:
            # the portal answered with a page of another shape: retrying in seconds will not help
            raise dg.Failure(description=str(error), allow_retries=False) from error
    for warning in report.warnings:
        context.log.warning(warning)
    for entry in report.quarantined:
        context.log.error(f"quarantined {entry.release_key}: {entry.reason} ({entry.file_path})")
    for entry in report.changed:
        context.log.warning(
            f"{entry.release_key} changed since it was landed (sha256 {entry.replaced_sha256[:12]}… → "
            f"{entry.sha256[:12]}…): landed again ({entry.status})"
        )
    if report.conflicts:
        raise dg.Failure(
            description="a file of another data month under a name known for "
            + month
            + ": "
            + "; ".join(report.conflicts),
            metadata={"conflicts": dg.MetadataValue.json(report.conflicts)},
            allow_retries=False,
        )

    with nps_duckdb.get_connection() as conn:
        chosen = file_for_month(conn, month)
        if chosen is None:
            reasons = (
                "; ".join(f"{e.release_key}: {e.reason}" for e in report.quarantined) or "no release found"
            )
            raise dg.Failure(
                description=f"no valid file for data month {month} ({reasons})",
                metadata={"quarantined": len(report.quarantined), "candidates": report.candidates},
                allow_retries=False,
            )
        month_warning = title_month_warning(chosen)
        if month_warning:
            context.log.warning(month_warning)
        table_metadata = (
            duckdb_query_metadata(
                conn, f"SELECT * FROM {LEDGER_TABLE} WHERE data_month = ? ORDER BY release_key", [month]
            )
            if preview
            else {}
        )
    return {
        **table_metadata,
        "file": chosen.file_path,
        "release": chosen.release_key,
        "size_bytes": chosen.size_bytes,
        "sha256": chosen.sha256,
        "source_encoding": chosen.source_encoding,
        "special_version": chosen.special_version or "",
        "source": "portal" if source.is_live else "local",
        "candidates": report.candidates,
        "new_files": len(report.landed),
        "changed_files": dg.MetadataValue.json(
            {
                e.release_key: {
                    "replaced_sha256": e.replaced_sha256,
                    "sha256": e.sha256,
                    "status": e.status,
                }
                for e in report.changed
            }
        ),
        "file_changed": chosen.release_key in {e.release_key for e in report.changed},
        "already_valid": report.skipped,
        "quarantined_files": len(report.quarantined),
        "title_month_warning": month_warning or "",
    }
