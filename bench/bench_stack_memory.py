"""What each process of the local stack holds once every location is loaded, by role.

Run: `uv run python bench/bench_stack_memory.py [--settle 20] [--baseline-env NAME=VALUE ...]`.
Starts the stack (`make dev`'s launcher) on a fresh data directory with its embedded PostgreSQL,
waits until all locations are LOADED and the daemon has run for `--settle` seconds, then reads
RSS and PSS (psutil `memory_full_info`) of every process and prints one row per role: the
embedded PostgreSQL (postmaster and its backends), the webserver, the daemon, the launcher, the
shared code proxy (dag_platform.code_proxy) or each location's `dagster code-server start` proxy,
and per location the gRPC server its proxy spawned for the definitions.

Figure: the RSS and PSS sums of the stack as `make dev` starts it (every location's proxy in one
process, two malloc arenas). Baseline, in the same run: the stack as it was before issue #19
(`--proxy-per-location`: one `dagster code-server start` per location, and glibc's default malloc
arenas), or the default layout with only the `--baseline-env` overrides.
Target: RSS ≤ 1.3 GB at cold start (issue #19).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import psutil

from dag_platform_testing.stack_harness import RunningStack

ROOT = Path(__file__).resolve().parents[1]
MIB = 1024**2
MEASURED_ARGS = ()
# The stack before issue #19: one `dagster code-server start` per location, glibc's default number
# of malloc arenas (8 per core on 64-bit Linux).
BEFORE_ARGS = ("--proxy-per-location",)
BEFORE_ENV = {"MALLOC_ARENA_MAX": str(8 * (os.cpu_count() or 1))}


def role_of(proc: psutil.Process, stack: RunningStack) -> str:
    """A process's role in the stack, from its command line."""
    command = proc.cmdline()
    if proc.pid == stack.process.pid:
        return "launcher"
    if proc.name() == "postgres" or (command and command[0].endswith("/postgres")):
        return "postgres"
    if "code-server" in command:
        return f"{command[command.index('--location-name') + 1]} proxy"
    if "dag_platform.code_proxy" in command:
        return "shared proxy"
    if "grpc" in command and "--location-name" in command:
        return f"{command[command.index('--location-name') + 1]} server"
    if "dag_platform.webserver_when_ready" in command:
        return "webserver"
    if any(part.endswith("dagster-daemon") for part in command):
        return "daemon"
    return "other: " + " ".join(command[:3])


def measure(
    env: dict[str, str], settle: float, workdir: Path, launcher_args: tuple[str, ...] = ()
) -> dict[str, list[tuple[int, int]]]:
    """Per role, the (RSS, PSS) of each of its processes, on a stack started with `env` and `launcher_args`.

    A start that fails is tried once more on a new data directory: on a busy machine another
    process may take one of the free ports the harness picked before a code server binds it.
    """
    for attempt in (1, 2):
        stack = RunningStack(
            root=ROOT,
            data_dir=workdir / f"data-{attempt}",
            extra_env={"DAGSTER_POSTGRES_URL": "", **env},
            launcher_args=("--load-timeout", "400", *launcher_args),  # slow on a busy machine
        )
        try:
            with stack.loaded(timeout=300):
                time.sleep(settle)  # the daemon starts after the locations load; let it settle
                return _by_role(stack)
        except RuntimeError as error:
            if attempt == 2:
                raise
            print(f"stack start failed, trying once more: {str(error).splitlines()[-1]}")
    raise AssertionError("unreachable")


def _by_role(stack: RunningStack) -> dict[str, list[tuple[int, int]]]:
    roles: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for proc in stack.processes():
        try:
            role = role_of(proc, stack)
            info = proc.memory_full_info()
        except psutil.NoSuchProcess:
            continue
        roles[role].append((info.rss, getattr(info, "pss", info.rss)))
    return dict(roles)


def _sum(entries: list[tuple[int, int]]) -> tuple[int, int]:
    return sum(e[0] for e in entries), sum(e[1] for e in entries)


def print_table(after: dict, before: dict, before_label: str) -> None:
    def order(role: str) -> tuple[int, str]:
        rank = {"postgres": 0, "webserver": 1, "daemon": 2, "launcher": 9}
        return (rank.get(role, 5 if role.endswith(("server", "proxy")) else 8), role)

    print(f"{'role':<16} {'n':>2} {'RSS MiB':>9} {'PSS MiB':>9}   {'RSS MiB':>9} {'PSS MiB':>9}")
    print(f"{'':<16} {'':>2} {'defaults':>19}   {before_label:>19}")
    for role in sorted(set(after) | set(before), key=order):
        rss, pss = _sum(after.get(role, []))
        rss0, pss0 = _sum(before.get(role, []))
        count = len(after.get(role, []))
        print(
            f"{role:<16} {count:>2} {rss / MIB:>9.0f} {pss / MIB:>9.0f}   {rss0 / MIB:>9.0f} {pss0 / MIB:>9.0f}"
        )
    total = _sum([e for entries in after.values() for e in entries])
    total0 = _sum([e for entries in before.values() for e in entries])
    print(
        f"{'total':<16} {'':>2} {total[0] / MIB:>9.0f} {total[1] / MIB:>9.0f}   "
        f"{total0[0] / MIB:>9.0f} {total0[1] / MIB:>9.0f}   target RSS ≤ {1.3 * 1024:.0f} MiB"
    )
    print(
        f"defaults / baseline: {total[0] / total0[0]:.2f}x the RSS, {total[1] / total0[1]:.2f}x the PSS;"
        f" load average {' '.join(f'{x:.1f}' for x in psutil.getloadavg())}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--settle", type=float, default=20, help="seconds after loading before reading")
    parser.add_argument(
        "--baseline-env",
        nargs="*",
        metavar="NAME=VALUE",
        help="environment of the baseline stack (default: the stack's settings before issue #19)",
    )
    parser.add_argument(
        "--env", nargs="*", default=[], metavar="NAME=VALUE", help="extra environment of the measured stack"
    )
    args = parser.parse_args()
    if args.baseline_env:
        baseline_env, baseline_args, label = dict(i.split("=", 1) for i in args.baseline_env), (), "baseline"
    else:
        baseline_env, baseline_args, label = BEFORE_ENV, BEFORE_ARGS, "before #19"
    measured_env = dict(item.split("=", 1) for item in args.env)
    with tempfile.TemporaryDirectory() as tmp:
        after = measure(measured_env, args.settle, Path(tmp) / "after", MEASURED_ARGS)
        before = measure(baseline_env, args.settle, Path(tmp) / "before", baseline_args)
    print_table(after, before, label)


if __name__ == "__main__":
    main()
