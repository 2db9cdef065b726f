"""Starting the reference server as a process and waiting until it says it is ready.

The server binds its own socket (port 0: any free port, so no other process can take it
between a choice and the bind) and prints one line on stdout, ``reference-server ready: URL``,
once it accepts connections. We wait on that line or on the process exiting, never on a guess
of how long a start takes; ``hang_timeout`` only guards against a server that neither starts
nor exits. Everything the server prints goes to ``log_path``, and a failed start shows it.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

READY_PREFIX = "reference-server ready: "
#: a start that neither signals readiness nor exits within this many seconds has hung
HANG_TIMEOUT = 300.0
LOG_TAIL = 4000


class ServerStartError(Exception):
    """The reference server did not come up; the message holds what it printed."""


@dataclass
class ServerProcess:
    """A running reference server: its process, root URL and log."""

    process: subprocess.Popen[bytes]
    root_url: str
    log_path: Path
    _pump: threading.Thread | None = field(default=None, repr=False)

    @property
    def port(self) -> int:
        return int(self.root_url.rsplit(":", 1)[1])

    def log(self) -> str:
        return tail(self.log_path)

    def stop(self, timeout: float = 10.0) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        if self._pump is not None:
            self._pump.join(timeout=5)


def server_command(
    db: Path, config: Path | None, *, host: str = "127.0.0.1", port: int = 0
) -> list[str]:
    args = [
        sys.executable,
        "-m",
        "reference_server",
        "--host",
        host,
        "--port",
        str(port),
        "--db",
        str(db),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    if config is not None:
        args += ["--config", str(config)]
    return args


def start_server_process(
    db: Path,
    config: Path | None,
    log_path: Path,
    *,
    env: dict[str, str] | None = None,
    host: str = "127.0.0.1",
    port: int = 0,
    hang_timeout: float = HANG_TIMEOUT,
) -> ServerProcess:
    """``klanten-conformance serve`` as a subprocess, returned once it says it is ready.

    ``env`` is the server's whole environment (default: this process's, faults included).
    Raises :class:`ServerStartError` with the server's own output when it exits first.
    """
    environment = dict(os.environ if env is None else env)
    environment["PYTHONUNBUFFERED"] = "1"
    process = subprocess.Popen(
        server_command(db, config, host=host, port=port),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        env=environment,
    )
    ready = threading.Event()
    found: list[str] = []
    pump = threading.Thread(
        target=_pump_output,
        args=(process, log_path, ready, found),
        name=f"server-log-{process.pid}",
        daemon=True,
    )
    pump.start()
    ready.wait(hang_timeout)
    if found:
        return ServerProcess(process, found[0], log_path, pump)
    if not pump.is_alive():  # its output ended: the server is exiting or has exited
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(10)
    if process.poll() is None:
        process.kill()
        process.wait(5)
        pump.join(5)
        raise ServerStartError(
            f"the reference server neither became ready nor exited within {hang_timeout:g}s; "
            f"its output:\n{tail(log_path) or '(nothing)'}"
        )
    pump.join(5)
    raise ServerStartError(
        f"the reference server exited at start-up (exit status {process.returncode}); "
        f"its output:\n{tail(log_path) or '(nothing)'}"
    )


def _pump_output(
    process: subprocess.Popen[bytes], log_path: Path, ready: threading.Event, found: list[str]
) -> None:
    """Copy the server's output to its log; signal the ready line (or the end of output)."""
    assert process.stdout is not None
    with open(log_path, "ab") as log:
        for raw in iter(process.stdout.readline, b""):
            log.write(raw)
            log.flush()
            line = raw.decode("utf-8", "replace").strip()
            if not found and line.startswith(READY_PREFIX):
                found.append(line.removeprefix(READY_PREFIX).strip())
                ready.set()
    with contextlib.suppress(OSError):
        process.stdout.close()
    ready.set()


def tail(path: Path, limit: int = LOG_TAIL) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")[-limit:]
    except OSError:
        return ""
