"""Test support: synthetic KRX snapshots in the upstream layout, sink resources on the test's own
Postgres database and libsql file, and a helper that materializes whole trading days."""

from __future__ import annotations

import csv
import subprocess
import sys
import warnings
from pathlib import Path

import dagster as dg
from dag_cd.defs.cd_daily.factory import build_daily_assets
from dag_cd.defs.cd_daily.steps import DAY, DAY_EXCHANGE, STEPS
from dag_cd.defs.resources import LoadGuardsResource, LocalKrxResource
from dag_cd.lib.backend import PostgresBackend, TursoBackend
from dag_cd.lib.krx import EXCHANGES, SAMPLE_SNAPSHOT_DIR
from dag_shared.resources.postgres import PostgresResource
from dag_shared.resources.turso import TursoResource

warnings.simplefilter("ignore", dg.BetaWarning)
SAMPLE_DAYS = ("2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05")
HEADERS = {
    "tickers.csv": ["티커", "종목명"],
    "ohlcv.csv": ["티커", "시가", "고가", "저가", "종가", "거래량", "거래대금", "등락률"],
    "market_cap.csv": ["티커", "종가", "시가총액", "거래량", "거래대금", "상장주식수"],
    "fundamental.csv": ["티커", "BPS", "PER", "PBR", "EPS", "DIV", "DPS"],
}


def imported_by_the_definitions(modules: tuple[str, ...]) -> str:
    """Which of `modules` a fresh interpreter holds after loading the location's definitions (comma-separated)."""
    code = (
        "import sys, dag_cd.definitions as d; d.defs.get_repository_def(); "
        f"print(','.join(m for m in {modules!r} if m in sys.modules))"
    )
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout


def _write(path: Path, header: list[str], rows: list[tuple]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)


def write_day(
    root: Path,
    day: str,
    market: str,
    securities: list[tuple[str, str, int, int]],
    zero_price_tickers: tuple[str, ...] = (),
    all_zero: bool = False,
    negative: tuple[str, ...] = (),
) -> None:
    """One (day, market) snapshot of (ticker, name, close, shares) securities, with consistent numbers."""
    folder = root / day.replace("-", "") / market
    ohlcv, caps, funds = [], [], []
    for ticker, _, close, shares in securities:
        zero = all_zero or ticker in zero_price_tickers
        c = -close if ticker in negative else close
        ohlcv.append((ticker, *(0,) * 7) if zero else (ticker, c, c, c, c, 1000, 1000 * close, 0.0))
        caps.append((ticker, *(0,) * 5) if all_zero else (ticker, c, c * shares, 1000, 1000 * close, shares))
        funds.append((ticker, close // 2, 10.0, 2.0, close // 10, 1.0, 100))
    _write(folder / "tickers.csv", HEADERS["tickers.csv"], [(t, n) for t, n, _, _ in securities])
    _write(folder / "ohlcv.csv", HEADERS["ohlcv.csv"], ohlcv)
    _write(folder / "market_cap.csv", HEADERS["market_cap.csv"], caps)
    if market != "KONEX":
        _write(folder / "fundamental.csv", HEADERS["fundamental.csv"], funds)


def resources(postgres_url: str, data_dir: Path, snapshot_dir: Path | str = SAMPLE_SNAPSHOT_DIR) -> dict:
    return {
        "cd_postgres": PostgresResource(url=postgres_url),
        "cd_turso": TursoResource(local_path=str(data_dir / "cd_turso.db")),
        "cd_krx": LocalKrxResource(snapshot_dir=str(snapshot_dir)),
        "cd_load_guards": LoadGuardsResource(),
    }


def backend(sink: str, res: dict):
    return PostgresBackend(res["cd_postgres"]) if sink == "postgres" else TursoBackend(res["cd_turso"])


_ASSETS: dict[str, list] = {}


def assets(sink: str) -> list[dg.AssetsDefinition]:
    if sink not in _ASSETS:
        _ASSETS[sink] = build_daily_assets(sink)
    return _ASSETS[sink]


def materialize_exchange(sink: str, res: dict, day: str, exchange: str, instance=None, raise_on_error=True):
    chosen = [a for a, s in zip(assets(sink), STEPS) if s.partitioning == DAY_EXCHANGE]
    return dg.materialize(
        chosen,
        partition_key=f"{day}|{exchange}",
        resources=res,
        instance=instance or dg.DagsterInstance.ephemeral(),
        raise_on_error=raise_on_error,
    )


def materialize_gold(sink: str, res: dict, day: str, instance=None, raise_on_error=True):
    chosen = [a for a, s in zip(assets(sink), STEPS) if s.partitioning == DAY]
    return dg.materialize(
        chosen,
        partition_key=day,
        resources=res,
        instance=instance or dg.DagsterInstance.ephemeral(),
        raise_on_error=raise_on_error,
    )


def load_days(sink: str, res: dict, days=SAMPLE_DAYS, exchanges=EXCHANGES) -> list[dg.ExecuteInProcessResult]:
    results = []
    for day in days:
        for exchange in exchanges:
            results.append(materialize_exchange(sink, res, day, exchange))
        results.append(materialize_gold(sink, res, day))
    return results


def query(res: dict, sql: str, params=(), sink: str = "postgres") -> list[tuple]:
    with backend(sink, res).transaction() as tx:
        return tx.query(sql, params)


def materialize_exchange_in_a_process(args: tuple[str, str, str, str, str]) -> bool:
    """For a process pool: one (day, exchange) run, as the stack runs each in its own process."""
    sink, postgres_url, data_dir, day, exchange = args
    res = resources(postgres_url, Path(data_dir))
    try:
        return materialize_exchange(sink, res, day, exchange, raise_on_error=False).success
    finally:
        res["cd_postgres"].close()
