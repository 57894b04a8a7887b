"""The PDF render worker's child process: `python -m webapp.report.child module:function`.

Kept apart from worker.py so that running it with -m never re-imports a module the package
already loaded. Protocol: see worker.py.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
from collections.abc import Callable
from multiprocessing.connection import Connection


def _load(target: str) -> Callable:
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)


def serve(target: str) -> None:
    """The child's loop: one JSON frame in, one status-prefixed frame out, until EOF."""
    out = Connection(os.dup(1), readable=False)
    os.dup2(2, 1)
    inbox = Connection(0, writable=False)
    render = _load(target)
    out.send_bytes(b"R")
    while True:
        try:
            data = json.loads(inbox.recv_bytes())
        except EOFError:
            return
        try:
            out.send_bytes(b"O" + render(data))
        except Exception as error:  # reported to the parent, which raises it as ReportError
            out.send_bytes(b"E" + f"{type(error).__name__}: {error}".encode())


if __name__ == "__main__":
    serve(sys.argv[1])
