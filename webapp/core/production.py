"""`faultline serve --workers N`: gunicorn with the app preloaded and its workers recycled.

The app is built (and its prerequisites checked) once in the master, then forked: workers
start in milliseconds and share the loaded content. Connections opened by the master are
disposed of before the fork, so no worker shares a database socket. Each worker runs
`threads` threads (gthread: idle keep-alive connections do not hold a thread) and is replaced
after about `MAX_REQUESTS` requests (with jitter, so they do not restart together), which
bounds what a slow leak can take. Put a reverse proxy in front (see docs/deployment.md).
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

from webapp.core.db import get_database

MAX_REQUESTS = 2000
MAX_REQUESTS_JITTER = 200
#: Seconds a request may take before its worker is replaced (PDFs are not made in requests).
TIMEOUT = 60


class _Gunicorn(BaseApplication):
    def __init__(self, app: Flask, options: dict[str, Any]) -> None:
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return self.application


def options(host: str, port: int, workers: int, threads: int, app: Flask) -> dict[str, Any]:
    def post_fork(_server: Any, _worker: Any) -> None:
        """Forget the master's pooled connections in the child; new ones open on first use."""
        get_database(app).engine.dispose(close=False)

    return {
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": "gthread",
        "threads": threads,
        "worker_connections": 1000,
        "preload_app": True,
        "max_requests": MAX_REQUESTS,
        "max_requests_jitter": MAX_REQUESTS_JITTER,
        "timeout": TIMEOUT,
        "graceful_timeout": 30,
        "keepalive": 5,
        "post_fork": post_fork,
        "accesslog": None,  # the app logs every request itself (JSON, with its request id)
    }


def serve_with_gunicorn(app: Flask, host: str, port: int, workers: int, threads: int) -> None:
    get_database(app).engine.dispose()
    _Gunicorn(app, options(host, port, workers, threads, app)).run()
