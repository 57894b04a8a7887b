"""Render PDFs in a child process so that a render can be stopped when it takes too long.

WeasyPrint cannot be interrupted inside a thread, so the web app hands report data to a
long-lived worker process and waits on a pipe with a deadline. The worker is a fresh
interpreter (`python -m webapp.report.child`), not a fork or a multiprocessing spawn: it
inherits no lock, socket or database connection and never re-runs the caller's main module.
Messages are length-prefixed frames (JSON in, PDF bytes out) over the child's stdin and a
duplicate of its stdout; the child's own stdout is pointed at stderr so a stray print cannot
corrupt the protocol. On time-out the worker is killed and a fresh one is started on the next
call; the caller gets a `ReportTimeout`, which is retryable. Keeping the worker alive between
renders keeps WeasyPrint's imports, stylesheet and fonts warm; it is replaced after
`MAX_RENDERS` renders so that a slow leak in a native library cannot grow without bound.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import threading
from multiprocessing.connection import Connection
from pathlib import Path

log = logging.getLogger(__name__)
TIMEOUT_SETTING = "FAULTLINE_PDF_TIMEOUT"
DEFAULT_TIMEOUT = 60.0
STARTUP_TIMEOUT = 60.0
DEFAULT_TARGET = "webapp.report.pdf:render_data_pdf"
MAX_RENDERS = 200


class ReportError(RuntimeError):
    """The PDF could not be made; `retryable` tells whether trying again can help."""

    retryable = False


class ReportTimeout(ReportError):
    retryable = True


class ReportWorkerFailed(ReportError):
    retryable = True


def default_timeout() -> float:
    return float(os.environ.get(TIMEOUT_SETTING) or DEFAULT_TIMEOUT)


class RenderWorker:
    """One child process, one render at a time; thread-safe."""

    def __init__(self, target: str = DEFAULT_TARGET) -> None:
        self.target = target
        self._lock = threading.Lock()
        self._process: subprocess.Popen | None = None
        self._writer: Connection | None = None
        self._reader: Connection | None = None
        self._renders = 0

    def render(self, data: object, timeout: float | None = None) -> bytes:
        timeout = default_timeout() if timeout is None else timeout
        if not self._lock.acquire(timeout=timeout):
            raise ReportTimeout(_busy_message(timeout))
        try:
            if self._renders >= MAX_RENDERS:
                self.stop()
            self._ensure_started()
            self._renders += 1
            return self._exchange(data, timeout)
        finally:
            self._lock.release()

    def start(self) -> None:
        """Start the child now (e.g. when the web app boots) so the first download is warm."""
        with self._lock:
            self._ensure_started()

    def _exchange(self, data: object, timeout: float) -> bytes:
        self._send(json.dumps(data).encode())
        if not self._reader.poll(timeout):
            log.warning("PDF render stopped after %.1f s; worker %s killed", timeout, self.pid)
            self.stop()
            raise ReportTimeout(_timeout_message(timeout))
        frame = self._receive()
        if frame[:1] != b"O":
            raise ReportError(f"The PDF could not be rendered: {frame[1:].decode()}")
        return frame[1:]

    def _send(self, payload: bytes) -> None:
        try:
            self._writer.send_bytes(payload)
        except OSError as error:
            self.stop()
            raise ReportWorkerFailed("The PDF renderer stopped unexpectedly. Try again.") from error

    def _receive(self) -> bytes:
        try:
            return self._reader.recv_bytes()
        except (EOFError, OSError) as error:
            self.stop()
            raise ReportWorkerFailed("The PDF renderer stopped unexpectedly. Try again.") from error

    def _ensure_started(self) -> None:
        if self._process is not None and self._process.poll() is None:
            return
        self.stop()
        self._process = subprocess.Popen(
            [sys.executable, "-m", "webapp.report.child", self.target],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=_child_env(),
        )
        self._writer = Connection(os.dup(self._process.stdin.fileno()), readable=False)
        self._reader = Connection(os.dup(self._process.stdout.fileno()), writable=False)
        if not self._reader.poll(STARTUP_TIMEOUT) or self._receive() != b"R":
            self.stop()
            raise ReportWorkerFailed("The PDF renderer did not start. Try again in a minute.")
        log.info("PDF render worker %s started", self.pid)

    def stop(self) -> None:
        """Kill the child (if any) and forget it; the next render starts a new one."""
        for conn in (self._writer, self._reader):
            if conn is not None:
                conn.close()
        if self._process is not None:
            self._process.kill()
            self._process.wait(5)
            for stream in (self._process.stdin, self._process.stdout):
                stream.close()
        self._process = self._writer = self._reader = None
        self._renders = 0

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None


def _child_env() -> dict:
    """The parent's environment, with the repository first on the path so `-m` finds webapp."""
    root = str(Path(__file__).resolve().parents[2])
    path = os.environ.get("PYTHONPATH")
    return {**os.environ, "PYTHONPATH": root + (os.pathsep + path if path else "")}


def _timeout_message(timeout: float) -> str:
    return (f"The PDF took longer than {timeout:g} seconds to render and was stopped. "
            "Try again in a minute; if it keeps failing, use the HTML report and tell an "
            f"operator (the limit is {TIMEOUT_SETTING}).")


def _busy_message(timeout: float) -> str:
    return (f"Another PDF has been rendering for more than {timeout:g} seconds. "
            "Try again in a minute.")
