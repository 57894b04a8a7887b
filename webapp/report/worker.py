"""Render PDFs in a child process so that a render can be stopped when it takes too long.

WeasyPrint cannot be interrupted inside a thread, so the web app hands report data to a
long-lived worker process and waits on a pipe with a deadline. The worker is a fresh
interpreter (`python -m webapp.report.child`), not a fork or a multiprocessing spawn: it
inherits no lock, socket or database connection and never re-runs the caller's main module.
Messages are length-prefixed frames (JSON in, PDF bytes out) over the child's stdin and a
duplicate of its stdout; the child's own stdout is pointed at stderr so a stray print cannot
corrupt the protocol. On time-out the worker is killed and a fresh one is started on the next
call; the caller gets a `ReportTimeout`, which is retryable. Keeping the worker alive between
renders keeps WeasyPrint's imports, stylesheet and fonts warm. WeasyPrint 70 (through its
native libraries) keeps about 1 MiB per render that no garbage collection or malloc_trim gives
back, so the child is replaced, right after it answers, once its memory has grown
`MAX_GROWTH` beyond what it used after its first render (or after `MAX_RENDERS` renders); the
replacement starts while nobody waits for it.
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
MAX_GROWTH = 0.06  # one render can add about 2 %: stays under the 10 % budget


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
        self._ready = False
        self._baseline_rss: int | None = None
        self.peak_rss = 0  #: highest child RSS seen after a render, in bytes (for benchmarks)

    def render(self, data: object, timeout: float | None = None) -> bytes:
        timeout = default_timeout() if timeout is None else timeout
        if not self._lock.acquire(timeout=timeout):
            raise ReportTimeout(_busy_message(timeout))
        try:
            self._ensure_started()
            self._renders += 1
            try:
                return self._exchange(data, timeout)
            finally:
                if self._process is not None:  # still alive: no time-out, no crash
                    self._recycle_if_spent()
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
        if self._process is None or self._process.poll() is not None:
            self.stop()
            self._spawn()
        if not self._ready:
            self._wait_ready()

    def _spawn(self) -> None:
        self._process = subprocess.Popen(
            [sys.executable, "-m", "webapp.report.child", self.target],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=_child_env(),
        )
        self._writer = Connection(os.dup(self._process.stdin.fileno()), readable=False)
        self._reader = Connection(os.dup(self._process.stdout.fileno()), writable=False)

    def _wait_ready(self) -> None:
        if not self._reader.poll(STARTUP_TIMEOUT) or self._receive() != b"R":
            self.stop()
            raise ReportWorkerFailed("The PDF renderer did not start. Try again in a minute.")
        self._ready = True
        log.info("PDF render worker %s started", self.pid)

    def _recycle_if_spent(self) -> None:
        """Replace the child once it has grown too much or rendered too often."""
        rss = self.rss()
        self.peak_rss = max(self.peak_rss, rss or 0)
        if self._baseline_rss is None:
            self._baseline_rss = rss
            return
        grown = rss is not None and rss > self._baseline_rss * (1 + MAX_GROWTH)
        if grown or self._renders >= MAX_RENDERS:
            log.info("PDF render worker %s replaced after %d renders (%s bytes)", self.pid,
                     self._renders, rss)
            self.stop()
            self._spawn()

    def rss(self) -> int | None:
        """The child's resident memory in bytes (Linux), or None."""
        try:
            with open(f"/proc/{self.pid}/statm") as statm:
                return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, ValueError, TypeError):
            return None

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
        self._ready = False
        self._baseline_rss = None

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
