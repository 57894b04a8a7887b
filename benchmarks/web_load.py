"""Load runs against `faultline serve` (the README's one command: waitress and one queue worker)
on SQLite, each on a server of its own (`BenchSite`) seeded with the payments example; also
selectable in benchmarks/web.py as `--run mixed` and `--run contention`.

- mixed: the assessments list at a fixed 20 requests/s (open loop: a slow answer does not
  delay the next request) while four uncached PDFs render. Target: p95 <= 150 ms, 0 errors.
- contention: 20 writers (autosave, each its own question) and 10 readers (results page,
  assessments list) for 30 s. Target: 0 errors, save p95 <= 250 ms. By default each client
  sends as soon as it has its answer (saturation); `--pace 1` has each send once a second, as
  a person's autosave does, latency counted from the scheduled send time.

Both print the server's CPU time per request (a figure the machine's other load does not
change; with `--workers N`, summed over gunicorn's web processes) and the load average.

- save-cpu: the CPU time of one autosave, of the results page and of the assessments list,
  in this process through the app's test client (no server): what one save costs.

Run: python benchmarks/web_load.py [mixed|contention|both|save-cpu] [--seconds 30] [--pace 1]

Measured (2 cores shared with other jobs, load average 6 to 16: latencies there measure the
machine; CPU per request and throughput are the figures to compare), one process, medians of
three runs alternating with the code before the change:

| | before | after |
|---|---|---|
| save-cpu: one autosave, CPU | 26.0 ms (load 6.6), 32.9 (13.6) | 10.5 ms (11.6), 14.4 (12.5) |
| contention --pace 1: web CPU per request | 26.3 ms | 16.1 ms |
| contention --pace 1: queue worker CPU per request | 5.3 ms | 1.5 ms |
| contention --pace 1: saves/s kept (of 20) | 12.8 | 19.9 |
| contention --pace 1: save p95 | 12,282 ms | 1,098 ms (61 ms at load 7.8) |
| contention closed loop: saves/s | 8.5 | 18.1 |
| contention closed loop: web CPU per request | 26.7 ms | 18.8 ms |

A fourth pair at load 7 to 8: after p95 327 ms at 11.9 ms CPU per request, before 11,456 ms
at 24.1 ms; after with `--workers 2`: p95 486 ms, 15.2 ms CPU per request (summed over both
web processes). On a quiet machine the code before gave a save p95 of 306/315/334 ms with
`--pace 1`.
"""

from __future__ import annotations

import argparse
import contextlib
import http.cookiejar
import json
import logging
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PASSWORD = "correct horse battery staple"
SECRET = "benchmark-secret-" + "x" * 32
TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def process_cpu_seconds(pid: int, reaped: bool = False) -> float:
    """User plus system CPU seconds a running process has used (Linux /proc), threads
    included: a figure the machine's other load does not change, unlike latencies. With
    `reaped`, also that of its children that ended and were waited for (a recycled web
    process of gunicorn)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])
    if reaped:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    try:
        return [int(child) for child in
                Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def tree_cpu_seconds(pid: int) -> float:
    """CPU seconds of a running process and of every process below it."""
    total = 0.0
    with contextlib.suppress(OSError):  # ended meanwhile
        total += process_cpu_seconds(pid)
    return total + sum(tree_cpu_seconds(child) for child in children(pid))


def is_queue_worker(pid: int) -> bool:
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return b"worker" in command and b"webapp.cli" in command


class CpuMeter:
    """CPU seconds used between start() and stop() by the web server (the `serve` process
    and, with `--workers N`, gunicorn's web processes below it), by the queue worker beside
    it (with its render processes) and by this benchmark process (the simulated clients)."""

    def __init__(self, server_pid: int) -> None:
        self.server_pid = server_pid

    def _now(self) -> tuple[float, float, float]:
        web = process_cpu_seconds(self.server_pid, reaped=True)
        queue = 0.0
        for child in children(self.server_pid):
            if is_queue_worker(child):
                queue += tree_cpu_seconds(child)
            else:
                web += tree_cpu_seconds(child)
        return web, queue, time.process_time()

    def start(self) -> CpuMeter:
        self.started = self._now()
        return self

    def stop(self) -> tuple[float, float, float]:
        """(web server, queue worker, clients) CPU seconds since start()."""
        now = self._now()
        return (now[0] - self.started[0], now[1] - self.started[1], now[2] - self.started[2])

    def per_request(self, requests: int) -> str:
        server, queue, clients = self.stop()
        count = max(requests, 1)
        return (f"CPU per request: web server {server / count * 1000:.1f} ms, queue worker "
                f"{queue / count * 1000:.1f} ms, benchmark clients "
                f"{clients / count * 1000:.1f} ms ({requests} requests)")


def load_average() -> str:
    return "load average " + " ".join(f"{x:.1f}" for x in os.getloadavg())


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))] if ordered else 0


def summary(name: str, seconds: list[float], errors: int, target_p95: float | None = None) -> str:
    p50, p95 = percentile(seconds, 0.5) * 1000, percentile(seconds, 0.95) * 1000
    verdict = ""
    if target_p95 is not None:
        verdict = "  OK" if p95 <= target_p95 and errors == 0 else "  MISSED"
    return (f"{name}: n={len(seconds)} p50={p50:.0f} ms p95={p95:.0f} ms "
            f"max={max(seconds, default=0) * 1000:.0f} ms errors={errors}{verdict}")


class Client:
    """A signed-in browser: cookies, CSRF token, no exceptions on HTTP statuses."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.token = ""

    def sign_in(self, email: str) -> None:
        _, page, _ = self.get("/signin")
        self.token = TOKEN.search(page.decode()).group(1)
        status, _, _ = self.post("/signin", {"email": email, "password": PASSWORD})
        assert status == 200, f"sign-in failed: {status}"
        _, page, _ = self.get("/assessments/")
        self.token = TOKEN.search(page.decode()).group(1) if TOKEN.search(page.decode()) \
            else self.token

    def get(self, path: str) -> tuple[int, bytes, float]:
        return self._open(urllib.request.Request(self.base + path))

    def post(self, path: str, data: dict, accept: str = "text/html") -> tuple[int, bytes, float]:
        body = urllib.parse.urlencode({**data, "csrf_token": self.token}).encode()
        return self._open(urllib.request.Request(self.base + path, data=body,
                                                 headers={"Accept": accept}))

    def _open(self, request: urllib.request.Request) -> tuple[int, bytes, float]:
        started = time.perf_counter()
        try:
            with self.opener.open(request, timeout=60) as response:
                body = response.read()
                return response.status, body, time.perf_counter() - started
        except urllib.error.HTTPError as error:
            return error.code, error.read(), time.perf_counter() - started
        except OSError:
            return 0, b"", time.perf_counter() - started


class BenchSite:
    """A fresh folder, database seeded through the services, and `faultline serve` on it."""

    def __init__(self, assessments: int = 4, settle_seconds: int = 3600, workers: int = 1) -> None:
        self.workers = workers
        self.folder = Path(tempfile.mkdtemp(prefix="faultline-bench-"))
        self.database = self.folder / "instance" / "faultline.sqlite3"
        self.cache = self.folder / "instance" / "report-cache"
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "SECRET_KEY": SECRET, "FAULTLINE_PDF_SETTLE_SECONDS":
                    str(settle_seconds), "FAULTLINE_REPORT_CACHE_DIR": str(self.cache),
                    "DATABASE_URL": f"sqlite:///{self.database}",
                    # every simulated person signs in from 127.0.0.1
                    "FAULTLINE_SIGNIN_RATE_LIMIT": "1000 per minute"}
        self.env.pop("FAULTLINE_REDIS_URL", None)
        self.assessment_ids = self._seed(assessments)
        self.process: subprocess.Popen | None = None

    def _seed(self, count: int) -> list[int]:
        from tests.factories import fill_from_example
        from webapp.accounts import services as accounts
        from webapp.app import create_app
        from webapp.assessments import services as assessment_service
        from webapp.core import migrate
        from webapp.core.db import get_database, session_scope
        from webapp.core.startup import get_content
        from webapp.teams import services as team_service

        self.database.parent.mkdir(parents=True)
        migrate.upgrade(self.env["DATABASE_URL"])
        app = create_app({"DATABASE_URL": self.env["DATABASE_URL"], "SECRET_KEY": SECRET,
                          "TESTING": True, "QUEUE_IMMEDIATE": True, "PDF_PRERENDER": False})
        try:
            with app.test_request_context(), session_scope(app) as session:
                owner = accounts.sign_up(session, email="olga@example.com", name="Olga",
                                         password=PASSWORD)
                team = team_service.create_team(session, owner, "Payments")
                ids = []
                for number in range(count):
                    assessment = assessment_service.start_assessment(
                        session, team, owner, name=f"Ledgerline Payments {number + 1}",
                        content=get_content())
                    fill_from_example(session, assessment, owner)
                    ids.append(assessment.id)
                return ids
        finally:
            get_database(app).engine.dispose()

    def start(self) -> BenchSite:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "webapp.cli", "serve", "--port", str(self.port),
             "--workers", str(self.workers)],
            cwd=self.folder, env=self.env, start_new_session=True,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if Client(self.base).get("/readyz")[0] == 200:
                time.sleep(3)  # the queue worker starts beside it
                return self
            time.sleep(0.3)
        raise RuntimeError("faultline serve did not become ready")

    def stop(self) -> None:
        if self.process is not None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(60)

    def client(self) -> Client:
        client = Client(self.base)
        client.sign_in("olga@example.com")
        return client

    def cached_pdfs(self) -> int:
        return len(list(self.cache.glob("*.pdf"))) if self.cache.exists() else 0


def mixed_run(seconds: float = 20.0, rate: float = 20.0, baseline: float = 5.0) -> list[str]:
    """`baseline` seconds of the list alone, then the four PDFs are asked for; the lines to
    print."""
    site = BenchSite(assessments=4).start()
    try:
        client = site.client()
        samples: list[tuple[float, float, int]] = []  # (sent at, seconds, status)
        lock = threading.Lock()

        def list_once(scheduled: float) -> None:
            # from the scheduled send time: a request that waited for a free client thread
            # (a stalled server) counts that wait too
            status, _, _ = client.get("/assessments/")
            with lock:
                samples.append((scheduled, time.monotonic() - scheduled, status))

        started = time.monotonic()
        asked = done = None
        with ThreadPoolExecutor(max_workers=64) as pool:
            for number in range(int((baseline + seconds) * rate)):
                scheduled = started + number / rate
                time.sleep(max(0.0, scheduled - time.monotonic()))
                pool.submit(list_once, scheduled)
                if asked is None and time.monotonic() - started >= baseline:
                    asked = time.monotonic()
                    for assessment_id in site.assessment_ids:
                        pool.submit(client.get, f"/assessments/{assessment_id}/report.pdf")
                if asked and done is None and site.cached_pdfs() >= 4:
                    done = time.monotonic()
        while done is None and time.monotonic() - started < 600:
            if site.cached_pdfs() >= 4:
                done = time.monotonic()
            time.sleep(0.2)
        lines: list[str] = []
        alone = [s for s in samples if s[0] < asked]
        during = [s for s in samples if s[0] >= asked and (done is None or s[0] <= done)]
        for name, chosen, target in (("alone", alone, None), ("during 4 PDF renders", during, 150)):
            lines.append(summary(f"mixed: assessments list at {rate:g}/s, {name}",
                                 [s[1] for s in chosen], sum(1 for s in chosen if s[2] != 200),
                                 target_p95=target))
        lines.append(f"mixed: the 4 PDFs were cached {done - asked:.1f} s after being asked"
                     if done else "mixed: the PDFs did not finish")
        lines.append(f"mixed: load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        return lines
    finally:
        site.stop()


def contention_run(seconds: float = 30.0, writers: int = 20, readers: int = 10,
                   workers: int = 1, pace: float | None = None) -> list[str]:
    """Without `pace`, every writer and reader sends its next request as soon as the last one
    is answered (closed loop: the server's capacity under saturation; a save's latency is then
    about the number of clients divided by the throughput). With `pace` (seconds), each sends
    one request every `pace` seconds, as a person's autosave does (it waits 0.9 s after the
    last keystroke), and latency counts from the scheduled send time."""
    site = BenchSite(assessments=1, workers=workers).start()
    try:
        assessment_id = site.assessment_ids[0]
        questions = _system_questions(writers)
        saves: list[float] = []
        reads: list[float] = []
        problems: dict[str, int] = {"errors": 0, "conflicts": 0}
        lock = threading.Lock()
        # everyone signs in first (a password hash each): the run starts once all have
        clients = [site.client() for _ in range(writers + readers)]
        versions = {question: _version(site, assessment_id, question)
                    for question, _ in questions}
        started_at = time.monotonic() + 0.5
        stop_at = started_at + seconds

        def schedule(offset: float) -> Iterator[float]:
            """When each request is due: as soon as possible, or every `pace` seconds."""
            count = 0
            while True:
                due = started_at + offset + count * (pace or 0)
                if pace:
                    time.sleep(max(0.0, due - time.monotonic()))
                now = time.monotonic()
                if now >= stop_at:
                    return
                yield due if pace else now
                count += 1

        def writer(question: str, choice: str, offset: float, client: Client) -> None:
            version = versions[question]
            time.sleep(max(0.0, started_at - time.monotonic()))
            for number, due in enumerate(schedule(offset), start=1):
                status, body, _ = client.post(
                    f"/assessments/{assessment_id}/answers",
                    {"scope": "system", "question": question, f"{question}-choice": choice,
                     f"{question}-version": str(version), f"{question}-note": f"note {number}"},
                    accept="application/json")
                with lock:
                    saves.append(time.monotonic() - due)
                    if status == 409:
                        problems["conflicts"] += 1
                    elif status != 200:
                        problems["errors"] += 1
                if status == 200:
                    version = json.loads(body)["answer"]["version"]

        def reader(number: int, offset: float, client: Client) -> None:
            paths = (f"/assessments/{assessment_id}/results", "/assessments/")
            count = number
            time.sleep(max(0.0, started_at - time.monotonic()))
            for due in schedule(offset):
                count += 1
                status, _, _ = client.get(paths[count % 2])
                with lock:
                    reads.append(time.monotonic() - due)
                    if status != 200:
                        problems["errors"] += 1

        spread = (pace or 0) / (writers + readers)  # paced clients do not all send at once
        threads = [threading.Thread(target=writer, args=(*pair, n * spread, clients[n]))
                   for n, pair in enumerate(questions)]
        threads += [threading.Thread(target=reader, args=(n, (writers + n) * spread,
                                                          clients[writers + n]))
                    for n in range(readers)]
        before = load_average()
        for thread in threads:
            thread.start()
        time.sleep(max(0.0, started_at - time.monotonic()))
        meter = CpuMeter(site.process.pid).start()
        for thread in threads:
            thread.join()
        mode = f"each every {pace:g} s" if pace else "closed loop"
        return [
            summary(f"contention ({mode}): saves ({writers} writers)", saves,
                    problems["errors"], target_p95=250),
            summary(f"contention ({mode}): reads ({readers} readers)", reads, 0),
            f"contention: errors={problems['errors']} conflicts={problems['conflicts']} "
            f"saves/s={len(saves) / seconds:.1f} reads/s={len(reads) / seconds:.1f} "
            f"({workers} web process(es), {os.cpu_count()} cores)",
            f"contention: {meter.per_request(len(saves) + len(reads))}",
            f"contention: {before} before, {load_average()} after"]
    finally:
        site.stop()


def save_cpu_run(saves: int = 300) -> list[str]:
    """CPU time of one autosave (and of the pages the readers ask for) inside this process,
    through the app's test client on the same seeded database: no server, no network, no
    other request in flight, so the figure is the request's own cost. Each save changes the
    answer, so each is a new revision, as under contention."""
    from tests.conftest import CsrfClient
    from webapp.app import create_app
    from webapp.core.db import get_database

    site = BenchSite(assessments=1)
    app = create_app({"DATABASE_URL": site.env["DATABASE_URL"], "SECRET_KEY": SECRET,
                      "REPORT_CACHE_DIR": str(site.cache), "PDF_SETTLE_SECONDS": 3600,
                      "RESULT_CACHE_DIR": str(site.folder / "result-cache"),
                      "QUEUE_FILE": str(site.folder / "instance" / "queue.sqlite3"),
                      "RATELIMIT_STORAGE_URI": "memory://"})
    app.test_client_class = CsrfClient
    logging.disable(logging.INFO)  # the access log is not what is measured
    try:
        client, assessment_id = app.test_client(), site.assessment_ids[0]
        status = client.post("/signin", data={"email": "olga@example.com",
                                              "password": PASSWORD}).status_code
        assert status == 302, f"sign-in failed: {status}"
        questions = _system_questions(20)
        versions = {question: _version(site, assessment_id, question) for question, _ in questions}

        def save(number: int) -> None:
            question, choice = questions[number % len(questions)]
            response = client.post(
                f"/assessments/{assessment_id}/answers",
                data={"scope": "system", "question": question, f"{question}-choice": choice,
                      f"{question}-version": str(versions[question]),
                      f"{question}-note": f"note {number}"}, headers={"Accept": "application/json"})
            assert response.status_code == 200, response.status_code
            versions[question] = response.get_json()["answer"]["version"]

        def cpu_ms(action: Callable[[int], object], count: int) -> float:
            for number in range(5):  # warm: first requests fill caches
                action(number)
            started = time.process_time()
            for number in range(count):
                action(number)
            return (time.process_time() - started) / count * 1000

        results = f"/assessments/{assessment_id}/results"
        return [
            f"save-cpu: autosave {cpu_ms(save, saves):.1f} ms CPU per save ({saves} saves)",
            "save-cpu: results page after a save (a new revision) "
            f"{cpu_ms(lambda n: (save(n), client.get(results)), 40) - cpu_ms(save, 40):.1f} ms",
            f"save-cpu: results page, revision seen before "
            f"{cpu_ms(lambda n: client.get(results), 50):.1f} ms",
            "save-cpu: assessments list "
            f"{cpu_ms(lambda n: client.get('/assessments/'), 50):.1f} ms",
            f"save-cpu: {load_average()}"]
    finally:
        logging.disable(logging.NOTSET)
        get_database(app).engine.dispose()


def _system_questions(count: int) -> list[tuple[str, str]]:
    import yaml

    example = yaml.safe_load((ROOT / "examples" / "payments-platform-v2.yaml").read_text())
    pairs = [(qid, value) for qid, value in example["answers"].items()
             if isinstance(value, str) and not qid.startswith("fit.")]
    return pairs[:count]


def _version(site: BenchSite, assessment_id: int, question: str) -> int:
    import sqlite3

    with sqlite3.connect(site.database) as connection:
        row = connection.execute(
            "SELECT version FROM answers WHERE assessment_id = ? AND question_id = ? "
            "AND scope = 'system'", (assessment_id, question)).fetchone()
    return row[0] if row else 0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", nargs="?", choices=["mixed", "contention", "both", "save-cpu"],
                        default="both")
    parser.add_argument("--seconds", type=float, default=None)
    parser.add_argument("--workers", type=int, default=1,
                        help="web processes (faultline serve --workers) for the contention run")
    parser.add_argument("--pace", type=float, default=None,
                        help="contention: seconds between a client's requests (default: none, "
                             "closed loop)")
    args = parser.parse_args()
    lines = []
    if args.run in ("mixed", "both"):
        lines += mixed_run(args.seconds or 20.0)
    if args.run in ("contention", "both"):
        lines += contention_run(args.seconds or 30.0, workers=args.workers, pace=args.pace)
    if args.run == "save-cpu":
        lines += save_cpu_run()
    print("\n".join(lines))


if __name__ == "__main__":
    main()
