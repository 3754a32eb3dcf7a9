"""One run-time mechanism for what every materialization must carry (guidelines §7, §16, §17).

`instrument(defs)` is applied once per location, to the definitions loaded from its `defs/`
folder (`dag_shared.location_defs.load_location_defs`). It wraps the compute function of every asset, so that, with no
code in the assets themselves, every materialization

- fails the step when it reports no `dagster/row_count` (the rule is enforced at run time, for every
  asset, so an asset that forgets it fails in its tests);
- records `execution_time_seconds` and `peak_memory_mb` (the process's peak resident memory while
  the step ran, sampled) as metadata, which the UI plots over time;
- for assets tagged `pii`, masks the personal columns in markdown previews and writes a row to the
  PII audit table of the instance's database (`dag_shared.pii`).

Dagster has no public hook that can both change a materialization's metadata and fail its step (a
success hook runs after the event is stored, and its errors do not fail the step), so the wrapper
replaces the `decorated_fn` of the op's `DecoratedOpFunction` with a function of the same
signature. Dagster still sees a decorated function (context, config and resource arguments are
resolved from the original signature through `__wrapped__`), so the step runs exactly as before.
`shared/tests/test_instrumentation.py` fails if a Dagster upgrade changes this. Wrapping costs one
attribute swap per asset at load time; nothing heavy is imported.
"""

from __future__ import annotations

import functools
import inspect
import os
import resource
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import dagster as dg

ROW_COUNT = "dagster/row_count"
EXECUTION_TIME = "execution_time_seconds"
PEAK_MEMORY = "peak_memory_mb"
ROW_COUNT_RULE = "every materialization reports dagster/row_count"

_MARK = "__dag_instrumented__"
_SAMPLE_SECONDS = 0.02
_PAGE_BYTES = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def _rss_bytes() -> int | None:
    """The process's current resident memory (Linux), or None where /proc is not available."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * _PAGE_BYTES
    except (OSError, ValueError, IndexError):
        return None


def _max_rss_bytes() -> int:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


class _Sampler:
    """One daemon thread per process that samples resident memory while any step is running.

    Each running step registers its meter; the thread raises every registered meter's peak and
    sleeps on a condition when no step runs, so a step costs two set operations, not a thread.
    """

    def __init__(self) -> None:
        self._meters: set[StepMeter] = set()
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None

    def add(self, meter: StepMeter) -> None:
        with self._wake:
            self._meters.add(meter)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="dag-step-meter", daemon=True)
                self._thread.start()
            self._wake.notify()

    def remove(self, meter: StepMeter) -> None:
        with self._wake:
            self._meters.discard(meter)

    def _run(self) -> None:
        while True:
            with self._wake:
                while not self._meters:
                    self._wake.wait()
                meters = list(self._meters)
            rss = _rss_bytes() or 0
            for meter in meters:
                meter.observe(rss)
            time.sleep(_SAMPLE_SECONDS)


_SAMPLER = _Sampler()


class StepMeter:
    """Wall time and peak resident memory of one step.

    Several steps may share a process (the in-process executor), so the process's lifetime peak
    (`ru_maxrss`) would report an earlier step's peak; the process's sampler thread records the
    peak while this step runs. Where /proc is missing it falls back to `ru_maxrss`.
    """

    def __init__(self) -> None:
        self._start = time.perf_counter()
        self._lifetime_peak_at_start = _max_rss_bytes()
        self._peak = _rss_bytes() or 0
        if self._peak:
            _SAMPLER.add(self)

    def observe(self, rss: int) -> None:
        self._peak = max(self._peak, rss)

    def reading(self) -> dict[str, dg.MetadataValue]:
        self.observe(_rss_bytes() or 0)
        lifetime_peak = _max_rss_bytes()
        if lifetime_peak > self._lifetime_peak_at_start:
            # The process reached a new high while this step ran: that high is the step's peak,
            # even when the sampler thread was not scheduled at the moment it happened.
            self.observe(lifetime_peak)
        peak = self._peak or lifetime_peak
        return {
            EXECUTION_TIME: dg.MetadataValue.float(round(time.perf_counter() - self._start, 3)),
            PEAK_MEMORY: dg.MetadataValue.float(round(peak / 2**20, 1)),
        }

    def stop(self) -> None:
        _SAMPLER.remove(self)


class MissingRowCount(dg.Failure):
    """A materialization without `dagster/row_count`."""


def _asset_key_of(result: Any, context: dg.AssetExecutionContext | None) -> dg.AssetKey | None:
    key = getattr(result, "asset_key", None)
    if key is not None:
        return dg.AssetKey.from_coercible(key)
    if isinstance(result, dg.Output) and context is not None:
        try:
            return context.asset_key_for_output(result.output_name)
        except Exception:  # noqa: BLE001 - an op output that is not an asset
            return None
    if context is not None:
        keys = list(context.selected_asset_keys)
        if len(keys) == 1:
            return keys[0]
    return None


class _Instrumented:
    """The per-asset part: which assets are PII and how one result gets its metadata."""

    def __init__(self, assets_def: dg.AssetsDefinition) -> None:
        self._assets_def = assets_def  # read on the first materialization: loading stays cheap
        self._pii_columns: dict[dg.AssetKey, tuple[str, ...]] | None = None

    @property
    def pii_columns(self) -> dict[dg.AssetKey, tuple[str, ...]]:
        if self._pii_columns is None:
            from dag_shared import pii

            self._pii_columns = {
                spec.key: pii.pii_columns(spec.metadata)
                for spec in self._assets_def.specs
                if pii.is_pii(spec.tags)
            }
        return self._pii_columns

    @property
    def names(self) -> str:
        return ", ".join(k.to_user_string() for k in self._assets_def.keys)

    def finish(self, result: Any, meter: StepMeter, context: dg.AssetExecutionContext | None) -> Any:
        if not isinstance(result, (dg.MaterializeResult, dg.Output)):
            return result
        key = _asset_key_of(result, context)
        if key is None and isinstance(result, dg.Output):
            return result  # a plain op output, not a materialization
        metadata: dict[str, Any] = dict(result.metadata or {})
        subject = key.to_user_string() if key is not None else self.names
        if ROW_COUNT not in metadata:
            raise MissingRowCount(
                description=(
                    f"asset {subject}: {ROW_COUNT_RULE} (its MaterializeResult metadata has no "
                    f"{ROW_COUNT}; keys: {sorted(metadata) or 'none'})"
                ),
                allow_retries=False,
            )
        metadata.update(meter.reading())
        if key in self.pii_columns:
            from dag_shared import pii

            columns = self.pii_columns[key]
            metadata = pii.mask_metadata(metadata, columns)
            if context is not None:
                pii.audit_materialization(context, key, metadata, columns)
        if isinstance(result, dg.Output):
            return result.with_metadata(metadata)
        return result._replace(metadata=metadata)


def _current_context() -> dg.AssetExecutionContext | None:
    try:
        return dg.AssetExecutionContext.get()
    except Exception:  # noqa: BLE001 - direct invocation outside a run has no context
        return None


def _wrap(fn: Callable[..., Any], instrumented: _Instrumented) -> Callable[..., Any]:
    if inspect.isgeneratorfunction(fn):

        @functools.wraps(fn)
        def generator(*args: Any, **kwargs: Any) -> Iterator[Any]:
            meter = StepMeter()
            context = _current_context()
            try:
                for item in fn(*args, **kwargs):
                    yield instrumented.finish(item, meter, context)
            finally:
                meter.stop()

        return generator

    if inspect.iscoroutinefunction(fn) or inspect.isasyncgenfunction(fn):
        return fn  # none in this platform; left as Dagster runs them

    @functools.wraps(fn)
    def function(*args: Any, **kwargs: Any) -> Any:
        meter = StepMeter()
        context = _current_context()
        try:
            result = fn(*args, **kwargs)
            if isinstance(result, (dg.MaterializeResult, dg.Output)):  # both are tuples too
                return instrumented.finish(result, meter, context)
            if isinstance(result, tuple):
                return tuple(instrumented.finish(item, meter, context) for item in result)
            if result is None or not context or not context.has_assets_def:
                return result
            # A bare value handed to an IO manager: the materialization carries no row count.
            return instrumented.finish(dg.MaterializeResult(value=result), meter, context)
        finally:
            meter.stop()

    return function


def instrument_asset(assets_def: dg.AssetsDefinition) -> dg.AssetsDefinition:
    """Wrap one asset's compute function in place (idempotent); returns the same definition."""
    if not assets_def.is_executable:
        return assets_def
    op = assets_def.node_def
    compute = getattr(op, "_compute_fn", None)
    fn = getattr(compute, "decorated_fn", None)
    if fn is None or getattr(fn, _MARK, False):
        return assets_def
    wrapped = _wrap(fn, _Instrumented(assets_def))
    setattr(wrapped, _MARK, True)
    op._compute_fn = compute._replace(decorated_fn=wrapped)
    return assets_def


def is_instrumented(assets_def: dg.AssetsDefinition) -> bool:
    """Whether the asset's compute runs through the wrapper (False for assets without a function)."""
    fn = getattr(getattr(assets_def.node_def, "compute_fn", None), "decorated_fn", None)
    return bool(getattr(fn, _MARK, False))


def instrument(defs: dg.Definitions) -> dg.Definitions:
    """Instrument every asset of a location's definitions; returns the same `Definitions`."""
    for assets_def in defs.assets or []:
        if isinstance(assets_def, dg.AssetsDefinition):
            instrument_asset(assets_def)
    return defs


def metadata_numbers(metadata: Mapping[str, Any]) -> dict[str, float]:
    """The instrumentation's figures of one materialization's stored metadata (for tests, reports)."""
    return {
        key: float(getattr(metadata[key], "value", metadata[key]))
        for key in (EXECUTION_TIME, PEAK_MEMORY)
        if key in metadata
    }
