"""The run-time instrumentation every location applies in its definitions.py (dag_shared.instrumentation).

An asset that forgets `dagster/row_count` fails its step; every materialization stored in the
instance carries execution time and peak memory; a PII asset's previews are masked and its
materialization leaves an audit row in the instance's database (Postgres, as on the stack).
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import dagster as dg
import pytest
from dag_shared import pii
from dag_shared.instrumentation import (
    EXECUTION_TIME,
    PEAK_MEMORY,
    ROW_COUNT_RULE,
    instrument,
    is_instrumented,
    metadata_numbers,
)

SCHEMA = dg.TableSchema(
    columns=[
        dg.TableColumn("id", "int"),
        dg.TableColumn("author", "text", tags={"pii": "true"}),
        dg.TableColumn("title", "text"),
    ]
)
PREVIEW = "| id | author | title |\n|---|---|---|\n| 1 | 홍길동 | 안녕 |\n| … 3 more rows … |  |  |\n| 5 | kim_42 | bye |"


@dg.asset(description="Counts its rows.")
def counted() -> dg.MaterializeResult:
    size, page = 96 * 2**20, 4096
    block = bytearray(size)  # zero pages cost nothing until written: write one byte per page
    block[::page] = b"\x01" * (size // page)
    time.sleep(0.3)  # held long enough for a sampler on a loaded machine
    return dg.MaterializeResult(metadata={"dagster/row_count": 3})


@dg.asset(description="Holds no memory of its own.")
def light() -> dg.MaterializeResult:
    return dg.MaterializeResult(metadata={"dagster/row_count": 0})


@dg.asset(description="Forgets its row count.")
def forgetful() -> dg.MaterializeResult:
    return dg.MaterializeResult(metadata={"rows_written": 3})


@dg.multi_asset(specs=[dg.AssetSpec("first"), dg.AssetSpec("second")])
def pair() -> Iterator[dg.MaterializeResult]:
    yield dg.MaterializeResult(asset_key="first", metadata={"dagster/row_count": 1})
    yield dg.MaterializeResult(asset_key="second", metadata={"rows": 1})


@dg.asset(description="Hands a bare value to the IO manager.")
def bare_value() -> int:
    return 3


@dg.asset(
    description="Comments with their authors.",
    tags={"pii": "true", "access_level": "restricted"},
    metadata={"dagster/column_schema": SCHEMA},
    partitions_def=dg.StaticPartitionsDefinition(["2024-01-02"]),
)
def comments() -> dg.MaterializeResult:
    return dg.MaterializeResult(
        metadata={"dagster/row_count": 5, "rows_written": 2, "preview": dg.MetadataValue.md(PREVIEW)}
    )


def run(instance: dg.DagsterInstance, *assets, partition: str | None = None) -> dg.ExecuteInProcessResult:
    defs = instrument(dg.Definitions(assets=list(assets)))
    job = defs.resolve_implicit_global_asset_job_def()
    return job.execute_in_process(instance=instance, partition_key=partition, raise_on_error=False)


def failure_message(result: dg.ExecuteInProcessResult) -> str:
    failures = [event for event in result.all_events if event.is_step_failure]
    assert failures, "the step should have failed"
    return failures[0].step_failure_data.error.message


@pytest.fixture
def instance() -> Iterator[dg.DagsterInstance]:
    with dg.instance_for_test() as instance:
        yield instance


@pytest.fixture
def postgres_instance(postgres_url: str) -> Iterator[dg.DagsterInstance]:
    """An instance on Postgres storage, configured as deploy/dagster.local.yaml configures the stack's."""
    with dg.instance_for_test(
        overrides={"storage": {"postgres": {"postgres_url": postgres_url}}}
    ) as instance:
        yield instance


def test_an_asset_that_forgets_its_row_count_fails_naming_the_asset_and_the_rule(instance):
    result = run(instance, forgetful)
    assert not result.success
    message = failure_message(result)
    assert "asset forgetful" in message and ROW_COUNT_RULE in message and "rows_written" in message
    assert instance.get_latest_materialization_event(dg.AssetKey("forgetful")) is None


def test_one_key_of_a_multi_asset_without_a_row_count_fails_the_step(instance):
    result = run(instance, pair)
    assert "asset second" in failure_message(result)
    assert instance.get_latest_materialization_event(dg.AssetKey("first")) is not None


def test_a_bare_value_for_an_io_manager_has_no_row_count_and_fails(instance):
    assert "asset bare_value" in failure_message(run(instance, bare_value))


def test_execution_time_and_peak_memory_are_stored_with_every_materialization(instance):
    for _ in range(2):
        assert run(instance, counted).success
    records = instance.fetch_materializations(dg.AssetKey("counted"), limit=10).records
    assert len(records) == 2
    counted_figures = [metadata_numbers(r.asset_materialization.metadata) for r in records]
    for figures in counted_figures:
        assert set(figures) == {EXECUTION_TIME, PEAK_MEMORY}
        assert figures[EXECUTION_TIME] >= 0.3
    assert run(instance, light).success
    light_peak = metadata_numbers(
        instance.get_latest_materialization_event(dg.AssetKey("light")).asset_materialization.metadata
    )[PEAK_MEMORY]
    # Each run held 96 MiB more than a step that allocates nothing (same process, run after them).
    for figures in counted_figures:
        assert figures[PEAK_MEMORY] - light_peak >= 80, (counted_figures, light_peak)


def test_a_pii_materialization_leaves_an_audit_row_and_masks_its_preview(postgres_instance):
    assert pii.read_audit_rows(postgres_instance) == []
    result = run(postgres_instance, comments, partition="2024-01-02")
    assert result.success
    event = postgres_instance.get_latest_materialization_event(dg.AssetKey("comments"))
    preview = event.asset_materialization.metadata["preview"].md_str
    assert "홍길동" not in preview and "kim_42" not in preview
    assert "| 1 | *** | 안녕 |" in preview and "| 5 | *** | bye |" in preview
    assert "… 3 more rows …" in preview
    rows = pii.read_audit_rows(postgres_instance, "comments")
    assert len(rows) == 1
    row = rows[0]
    assert (row["partition_key"], row["run_id"], row["rows_touched"]) == ("2024-01-02", result.run_id, 2)
    assert row["columns"] == '["author"]' and row["recorded_at"] is not None
    # A second materialization appends a second row.
    run(postgres_instance, comments, partition="2024-01-02")
    assert len(pii.read_audit_rows(postgres_instance, "comments")) == 2


def test_instrumenting_twice_wraps_once_and_is_visible_to_the_checker(instance):
    @dg.asset(description="Counts.")
    def once() -> dg.MaterializeResult:
        return dg.MaterializeResult(metadata={"dagster/row_count": 1})

    assert not is_instrumented(once)
    defs = instrument(instrument(dg.Definitions(assets=[once])))
    assert is_instrumented(once)
    fn = once.op.compute_fn.decorated_fn
    assert not hasattr(fn.__wrapped__, "__wrapped__")  # one wrapper, not two
    assert defs.resolve_implicit_global_asset_job_def().execute_in_process(instance=instance).success


def test_mask_record_walks_nested_posts():
    post = {"author": "홍길동", "title": "t", "comments": [{"author": "kim", "text": "hi", "replies": []}]}
    masked = pii.mask_record(post, ["author"])
    assert masked == {
        "author": "***",
        "title": "t",
        "comments": [{"author": "***", "text": "hi", "replies": []}],
    }
    assert post["author"] == "홍길동"  # the input is left as it was
