"""The PDF render worker's child process: `python -m webapp.report.child module:function`.

Kept apart from worker.py so that running it with -m never re-imports a module the package
already loaded. Protocol: see worker.py. Before it reports ready, the child runs the target
module's optional `warm_up()`.
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


def _warm_up(target: str) -> None:
    """Run the target module's `warm_up()`, if it has one, before reporting ready: a child
    started ahead of time (at boot, or as a replacement) then serves its first render warm.
    A failed warm-up is logged and otherwise ignored; the render itself will report it."""
    warm_up = getattr(importlib.import_module(target.partition(":")[0]), "warm_up", None)
    if warm_up is None:
        return
    try:
        warm_up()
    except Exception as error:  # noqa: BLE001 - the first real render reports the problem
        print(f"PDF worker warm-up failed: {type(error).__name__}: {error}", file=sys.stderr)


def serve(target: str) -> None:
    """The child's loop: one JSON frame in, one status-prefixed frame out, until EOF."""
    out = Connection(os.dup(1), readable=False)
    os.dup2(2, 1)
    inbox = Connection(0, writable=False)
    render = _load(target)
    _warm_up(target)
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
