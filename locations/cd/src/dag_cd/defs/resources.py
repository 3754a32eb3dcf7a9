"""The CD location's resources and executor, as one `Definitions` object the defs folder loads.

Every environment-dependent setting is resolved when a run starts, never when definitions load,
so changing a variable needs no code-server reload:
- `cd_postgres`: CD_POSTGRES_URL (a `dg.EnvVar`);
- `cd_turso`: TURSO_LOCAL_PATH, TURSO_DATABASE_URL, TURSO_AUTH_TOKEN (read when the run connects);
- `cd_krx`: CD_KRX_SOURCE, CD_KRX_SNAPSHOT_DIR, KRX_ID, KRX_PW (`KrxResource`, resolved at run start);
- `cd_load_guards`: CD_MAX_DELISTING_SHARE, CD_LISTING_GUARD_OVERRIDE, CD_GOLD_ACCEPT_MISSING;
- `cd_history_duckdb`: the history's own DuckDB file (`$DAG_DATA_DIR/duckdb/cd_history.duckdb`, the
  folder read when the run connects), so no other CD job holds its writer lock.
A field set explicitly (in the launchpad's resource config, or by a test) wins over the variable.
"""

from __future__ import annotations

import time
from datetime import date

import dagster as dg
from dag_shared.resources.duckdb import DuckDBResource
from dag_shared.resources.postgres import postgres_resource
from dag_shared.resources.turso import turso_resource
from dag_shared.settings import env
from pydantic import Field, PrivateAttr

from dag_cd.lib.guards import GuardSettings, delisting_share, partition_keys
from dag_cd.lib.krx import SAMPLE_SNAPSHOT_DIR, KrxFrame, KrxSource, fetch_pykrx, pykrx_stock, read_snapshot

_FROM_ENV = "unset: the variable {} when the run starts"


class LocalKrxResource(dg.ConfigurableResource, KrxSource):
    """KRX answers read from snapshot files; a missing file is an empty answer."""

    snapshot_dir: str = Field(description="Folder of <YYYYMMDD>/<MARKET>/<dataset>.csv snapshots.")

    def fetch(self, dataset: str, day: date, market: str) -> KrxFrame:
        return read_snapshot(self.snapshot_dir, dataset, day, market)


class PykrxResource(dg.ConfigurableResource, KrxSource):
    """Live KRX through pykrx (imported lazily; it is heavy and logs in at import)."""

    krx_id: str | None = Field(default=None, description="KRX login id (KRX_ID).")
    krx_pw: str | None = Field(default=None, description="KRX password (KRX_PW).")
    pause_seconds: float = Field(default=0.3, description="Pause after each KRX request, to stay polite.")

    def fetch(self, dataset: str, day: date, market: str) -> KrxFrame:
        try:
            return fetch_pykrx(pykrx_stock(self.krx_id, self.krx_pw), dataset, day, market)
        finally:
            time.sleep(self.pause_seconds)

    def retries_may_help(self) -> bool:
        return True


def krx_resource(
    source: str | None = None,
    snapshot_dir: str | None = None,
    krx_id: str | None = None,
    krx_pw: str | None = None,
) -> KrxSource:
    """The KRX source asked for, unset arguments taken from the environment now: local snapshots
    (CD_KRX_SNAPSHOT_DIR, default the bundled sample) unless CD_KRX_SOURCE=pykrx."""
    source = (source or env("CD_KRX_SOURCE") or "local").lower()
    if source == "pykrx":
        return PykrxResource(krx_id=krx_id or env("KRX_ID"), krx_pw=krx_pw or env("KRX_PW"))
    if source != "local":
        raise ValueError(f"CD_KRX_SOURCE must be 'local' or 'pykrx', not {source!r}")
    return LocalKrxResource(
        snapshot_dir=snapshot_dir or env("CD_KRX_SNAPSHOT_DIR") or str(SAMPLE_SNAPSHOT_DIR)
    )


class KrxResource(dg.ConfigurableResource, KrxSource):
    """`cd_krx`: the KRX source chosen when a run starts, from these fields or the environment."""

    source: str | None = Field(
        default=None, description="'local' or 'pykrx'; " + _FROM_ENV.format("CD_KRX_SOURCE")
    )
    snapshot_dir: str | None = Field(default=None, description=_FROM_ENV.format("CD_KRX_SNAPSHOT_DIR"))
    krx_id: str | None = Field(default=None, description=_FROM_ENV.format("KRX_ID"))
    krx_pw: str | None = Field(default=None, description=_FROM_ENV.format("KRX_PW"))
    _source: KrxSource | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        self._source = self.resolve()

    def resolve(self) -> KrxSource:
        return krx_resource(self.source, self.snapshot_dir, self.krx_id, self.krx_pw)

    def _current(self) -> KrxSource:
        return self._source if self._source is not None else self.resolve()

    def fetch(self, dataset: str, day: date, market: str) -> KrxFrame:
        return self._current().fetch(dataset, day, market)

    def retries_may_help(self) -> bool:
        return self._current().retries_may_help()


class LoadGuardsResource(dg.ConfigurableResource):
    """`cd_load_guards`: the settings of the daily load's guards (`dag_cd.lib.guards`), read when
    the step starts."""

    max_delisting_share: float | None = Field(
        default=None, description=_FROM_ENV.format("CD_MAX_DELISTING_SHARE")
    )
    listing_override: str | None = Field(
        default=None, description=_FROM_ENV.format("CD_LISTING_GUARD_OVERRIDE")
    )
    gold_accept_missing: str | None = Field(
        default=None, description=_FROM_ENV.format("CD_GOLD_ACCEPT_MISSING")
    )

    def settings(self) -> GuardSettings:
        share = self.max_delisting_share
        return GuardSettings(
            max_delisting_share=delisting_share(
                share if share is not None else env("CD_MAX_DELISTING_SHARE")
            ),
            listing_override=partition_keys(
                self.listing_override
                if self.listing_override is not None
                else env("CD_LISTING_GUARD_OVERRIDE")
            ),
            gold_accept_missing=partition_keys(
                self.gold_accept_missing
                if self.gold_accept_missing is not None
                else env("CD_GOLD_ACCEPT_MISSING")
            ),
        )


defs = dg.Definitions(
    resources={
        "cd_postgres": postgres_resource("cd"),
        "cd_turso": turso_resource(),
        "cd_krx": KrxResource(),
        "cd_load_guards": LoadGuardsResource(),
        "cd_history_duckdb": DuckDBResource(location="cd_history"),
    },
    # The steps are short database statements that run one after another: a process per step
    # (the multiprocess default) cost a minute per exchange run on the stack, in-process a few seconds.
    executor=dg.in_process_executor,
)
