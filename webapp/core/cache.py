"""Values computed once per revision and reused: kept in the process (a small LRU shared by
its threads) and, for some, in a file cache every process of the app reads.

`ResultCache` is what services take as an argument (the app holds one, see
`webapp.core.views.result_cache`); nothing here knows of Flask.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from webapp.domain import Content

logger = logging.getLogger(__name__)

#: Values kept per process (results, page parts; a few hundred KB each): recent revisions only.
CACHE_SIZE = 96
T = TypeVar("T")


class Memory:
    """A small LRU of computed values keyed by (revision key, kind); shared by threads.

    `building(key)` lets one thread compute a missing value while the others asking for the
    same key wait for it: after a change, every reader of the new revision would otherwise
    compute the same result at once, each holding the interpreter lock the others (and a
    writer holding the database's write lock) need."""

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self.size = size
        self.items: OrderedDict[tuple[str, str], Any] = OrderedDict()
        self.lock = threading.Lock()
        self.builders: dict[tuple[str, str], list[Any]] = {}  # key -> [lock, waiting]

    def get(self, key: tuple[str, str]) -> Any:
        with self.lock:
            value = self.items.get(key)
            if value is not None:
                self.items.move_to_end(key)
            return value

    def put(self, key: tuple[str, str], value: Any) -> None:
        with self.lock:
            self.items[key] = value
            self.items.move_to_end(key)
            while len(self.items) > self.size:
                self.items.popitem(last=False)

    @contextmanager
    def building(self, key: tuple[str, str]) -> Iterator[None]:
        with self.lock:
            entry = self.builders.setdefault(key, [threading.Lock(), 0])
            entry[1] += 1
        try:
            with entry[0]:
                yield
        finally:
            with self.lock:
                entry[1] -= 1
                if entry[1] == 0:
                    del self.builders[key]


@dataclass(frozen=True)
class Shared:
    """How a computed value is shared with the other processes: as JSON data in the file
    cache, one file per `group` (e.g. an assessment) and kind, older revisions removed."""

    group: str
    dump: Callable[[Any], Any]
    load: Callable[[Any], Any]


@dataclass(frozen=True)
class ResultCache:
    """An app's computed values: `memory` kept in this process, `writes` the background writer
    to `directory`, the file cache its processes share (RESULT_CACHE_DIR)."""

    memory: Memory
    writes: SharedWrites
    directory: Path
    #: The loaded questionnaires and rules (`webapp.domain.Content`) the values are computed
    #: from: whatever evaluates takes both together.
    content: Content

    def computed(self, key: str, kind: str, build: Callable[[], T],
                 shared: Shared | None = None) -> T:
        """The value `build()` gives for revision `key`, computed once: kept in this process
        and, with `shared`, in the file cache every process of the app reads. Threads asking
        for the same missing value wait for the one computing it."""
        memory = self.memory
        value = memory.get((key, kind))
        if value is not None:
            return value
        with memory.building((key, kind)):
            value = memory.get((key, kind))  # computed by the thread this one waited for
            if value is not None:
                return value
            path = None if shared is None else \
                self.directory / f"{shared.group}.{kind}.{key}.json"
            if shared is not None:
                value = _read_shared(path, shared)
            if value is None:
                value = build()
                if shared is not None:
                    self.writes.submit(path, shared, kind, value)
            memory.put((key, kind), value)
        return value


class SharedWrites:
    """Computed values go to the file cache from one background thread, `delay` seconds after
    they were computed, and only the newest revision of each group and kind.

    Turning a result into JSON data and writing it costs about as much as computing it (11 of
    a cold results page's 50 ms). During a burst of saves each revision is superseded within
    a second and read by no other process: written at once, every one of them took that time
    from the requests (and from the writer holding the database lock). With `delay` 0 (tests)
    each value is written before `computed` returns."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.pending: dict[tuple[str, str], tuple[float, Path, Shared, Any]] = {}
        self.condition = threading.Condition()
        self.thread: threading.Thread | None = None
        self.pid = 0

    def submit(self, path: Path, shared: Shared, kind: str, value: Any) -> None:
        if self.delay <= 0:
            _write_shared(path, shared.dump(value))
            return
        with self.condition:
            self.pending[(shared.group, kind)] = (time.monotonic() + self.delay, path, shared,
                                                  value)
            if self.thread is None or self.pid != os.getpid():  # none yet, or forked
                self.pid = os.getpid()
                self.thread = threading.Thread(target=self._run, daemon=True,
                                               name="result-cache-writes")
                self.thread.start()
            self.condition.notify()

    def flush(self) -> None:
        """Write everything pending now (before a process ends, and in tests)."""
        with self.condition:
            items, self.pending = list(self.pending.values()), {}
        self._write(items)

    def _run(self) -> None:
        while True:
            with self.condition:
                while not (due := self._due()):
                    soonest = min((item[0] for item in self.pending.values()), default=None)
                    self.condition.wait(None if soonest is None else
                                        max(0.0, soonest - time.monotonic()))
                items = [self.pending.pop(group) for group in due]
            self._write(items)

    def _due(self) -> list[tuple[str, str]]:
        now = time.monotonic()
        return [group for group, item in self.pending.items() if item[0] <= now]

    @staticmethod
    def _write(items: list[tuple[float, Path, Shared, Any]]) -> None:
        for _due, path, shared, value in items:
            try:
                _write_shared(path, shared.dump(value))
            except Exception:  # a cache that cannot be written only costs speed
                logger.exception("result cache: cannot write %s", path)


def _read_shared(path: Path, shared: Shared) -> Any:
    try:
        return shared.load(json.loads(path.read_bytes()))
    except FileNotFoundError:
        return None
    except ValueError:  # a damaged or foreign file: compute anew and replace it
        logger.warning("result cache: unreadable %s, computing anew", path)
        return None


def _write_shared(path: Path, data: Any) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".result-", suffix=".tmp")
        # json.dumps, not json.dump: only the one-shot encoder is the C one (10x faster).
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(temporary, path)  # readers in other processes never see half a file
        group, kind, _key, _ext = path.name.split(".")
        for older in path.parent.glob(f"{group}.{kind}.*.json"):
            if older != path:  # an older revision: nobody asks for it again
                older.unlink(missing_ok=True)
    except OSError as error:  # a cache that cannot be written only costs speed
        logger.warning("result cache: cannot write %s: %s", path, error)
