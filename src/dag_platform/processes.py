"""Child processes of the stack: each in its own session, its output prefixed and logged to a file.

Own sessions mean a terminal's Ctrl-C reaches only the launcher, which then stops children in
order; stopping signals the whole process group, so grandchildren (gRPC servers a code server
spawned, run workers) go too and nothing is orphaned.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO


class ManagedProcess:
    def __init__(
        self,
        name: str,
        command: list[str],
        env: dict[str, str],
        cwd: Path,
        log_file: Path,
        echo: bool,
        niceness: int = 0,
    ):
        self.name = name
        self.command = command
        log_file.parent.mkdir(parents=True, exist_ok=True)
        self._log = open(log_file, "ab", buffering=0)  # noqa: SIM115 - open for the process's lifetime, closed in stop()
        self.process = subprocess.Popen(
            command,
            env=env,
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        if niceness:
            # Before the child starts its threads in earnest: threads inherit the niceness of the
            # thread that creates them, and the exec'd interpreter's main thread is this PID.
            os.setpriority(os.PRIO_PROCESS, self.process.pid, niceness)
        self._pump = threading.Thread(target=self._copy_output, args=(self.process.stdout, echo), daemon=True)
        self._pump.start()

    @property
    def pid(self) -> int:
        return self.process.pid

    def _copy_output(self, stream: IO[bytes], echo: bool) -> None:
        prefix = f"{self.name:>9} | ".encode()
        for line in iter(stream.readline, b""):
            self._log.write(line)
            if echo:
                sys.stdout.buffer.write(prefix + line)
                sys.stdout.flush()

    def alive(self) -> bool:
        return self.process.poll() is None

    def last_output(self, max_lines: int = 30) -> str:
        """The end of what the process printed (its log file), for error messages."""
        self._pump.join(timeout=2)  # let the pump copy what a process that just exited printed
        with open(self._log.name, "rb") as handle:
            handle.seek(max(0, handle.seek(0, os.SEEK_END) - 16384))
            lines = handle.read().decode("utf-8", "replace").splitlines()
        return "\n".join(lines[-max_lines:])

    def stop(self, timeout: float = 15) -> None:
        """SIGTERM the process group, then SIGKILL whatever is left after `timeout` seconds."""
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(self.process.pid, sig)
            except ProcessLookupError:
                break
            try:
                self.process.wait(timeout=timeout)
                break
            except subprocess.TimeoutExpired:
                continue
        _kill_group_leftovers(self.process.pid)
        self._pump.join(timeout=2)
        self._log.close()


def _kill_group_leftovers(pgid: int) -> None:
    """Members of the group may outlive its leader (a run worker finishing); end them too."""
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
