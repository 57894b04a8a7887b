"""PDF report timings and memory for a ~20-page review.

Prints medians of: cold (first render in a fresh interpreter, WeasyPrint import included),
warm (later renders in the same process), cached (a cache hit through get_or_render_pdf) and
worker-cold (first render through the time-limited worker, process start included); peak
memory of a cold render; memory growth over N renders (default 200) of the render worker the
web app uses (which replaces its child when it grows), and of a plain process for comparison.

`--settled` instead runs `faultline serve` (web server and queue worker) on a seeded SQLite
database, changes one answer and prints the time from "assessment settled" (no change for
FAULTLINE_PDF_SETTLE_SECONDS) to "PDF cached", then the download time of that settled
assessment's PDF through the web app.

Targets: warm <= 0.8 s, cold <= 2 s, cached <= 20 ms, growth < 10 %, settled download <= 50 ms.
Run: python benchmarks/pdf.py [--renders 200] [--cold-runs 5] | --settled

WeasyPrint is pure Python around Pango, so its times follow the speed of one core, and the
shared machines this runs on vary by a factor of two from hour to hour. The first line printed
is a fixed pure-Python workload timed on this core, so figures from different runs can be
compared: divide a render time by it to get a machine-independent ratio.
"""

from __future__ import annotations

import argparse
import copy
import gc
import io
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from webapp.domain import Result, result_from_dict  # noqa: E402
from webapp.report import build_report_data, get_or_render_pdf, render_pdf  # noqa: E402
from webapp.report.cache import shared_worker  # noqa: E402
from webapp.report.worker import RenderWorker  # noqa: E402

SAMPLE = ROOT / "tests" / "report" / "fixtures" / "sample-result.json"
TARGETS = {"cold": 2.0, "warm": 0.8, "cached": 0.020}
OPTIONS = {"team": "Payments SRE", "milestone": "Q4 review", "generated_at": "2026-11-21"}


def twenty_page_result(extra_workflows: int = 1) -> Result:
    """The sample plus copies of its workflows (with their findings, plan steps and answers);
    one extra workflow makes a report of about 20 pages."""
    base = json.loads(SAMPLE.read_text(encoding="utf-8"))
    result = copy.deepcopy(base)
    for n in range(extra_workflows):
        source = base["workflows"][n % len(base["workflows"])]
        old, new = source["name"], f"{source['name']} ({n + 2})"
        result["workflows"].append({**copy.deepcopy(source), "name": new})
        result["findings"] += [{**copy.deepcopy(f), "workflow": new}
                               for f in base["findings"] if f["workflow"] == old]
        result["plan"] += [{**p, "workflow": new} for p in base["plan"] if p["workflow"] == old]
        result["answers"]["workflows"] += [{**copy.deepcopy(w), "name": new}
                                           for w in base["answers"]["workflows"]
                                           if w["name"] == old]
    return result_from_dict(result)


def rss_mib() -> float:
    """Current resident set size of this process."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 2**20


def page_count(pdf: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


def cold_once() -> tuple[float, float, float]:
    """(wall seconds, CPU seconds, peak RSS MiB) of the first render in a fresh interpreter."""
    code = (
        "import json, resource, sys, time; sys.path.insert(0, sys.argv[1]);"
        "from benchmarks.pdf import twenty_page_result, OPTIONS;"
        "from webapp.report import render_pdf;"
        "r = twenty_page_result(); t = time.perf_counter(); c = time.process_time();"
        "render_pdf(r, **OPTIONS);"
        "print(json.dumps([time.perf_counter() - t, time.process_time() - c,"
        " resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024]))"
    )
    out = subprocess.run([sys.executable, "-c", code, str(ROOT)], check=True,
                         capture_output=True, text=True).stdout
    return tuple(json.loads(out.strip().splitlines()[-1]))


def timed(fn, runs: int) -> tuple[float, float]:
    """Median (wall, CPU) seconds of `runs` calls. CPU time shows the cost without the noise
    of other processes on a shared machine; the targets are wall times."""
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def worker_cold(result: dict) -> float:
    with tempfile.TemporaryDirectory() as cache_dir:
        shared_worker().stop()
        start = time.perf_counter()
        get_or_render_pdf(result, cache_dir, **OPTIONS)
        return time.perf_counter() - start


def in_process_growth(result: dict, renders: int) -> tuple[float, float]:
    """RSS of this process after 10 warm-up renders and after `renders` more, in MiB."""
    for _ in range(10):
        render_pdf(result, **OPTIONS)
    gc.collect()
    before = rss_mib()
    for _ in range(renders):
        render_pdf(result, **OPTIONS)
    gc.collect()
    return before, rss_mib()


def worker_growth(result: dict, renders: int) -> tuple[float, float, int]:
    """The web path: (RSS after the worker's first render, highest RSS over `renders` more,
    number of workers used), in MiB."""
    data = build_report_data(result, **OPTIONS)
    worker = RenderWorker()
    try:
        worker.render(data)
        first, pids = worker.rss(), {worker.pid}
        for _ in range(renders):
            worker.render(data)
            pids.add(worker.pid)
        return first / 2**20, worker.peak_rss / 2**20, len(pids)
    finally:
        worker.stop()


def core_speed(runs: int = 7) -> float:
    """Median seconds of a fixed pure-Python workload (ten million additions in a loop)."""
    def work() -> None:
        total = 0
        for i in range(10_000_000):
            total += i

    return timed(work, runs)[1]


def verdict(value: float, target: float) -> str:
    return "ok" if value <= target else f"OVER target {target:g}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--renders", type=int, default=200)
    parser.add_argument("--cold-runs", type=int, default=5)
    parser.add_argument("--warm-runs", type=int, default=10)
    parser.add_argument("--memory-only", action="store_true", help="only the memory figures")
    parser.add_argument("--settled", action="store_true",
                        help="settled -> cached and the download of a settled assessment")
    args = parser.parse_args()
    if args.settled:
        settled()
        return
    result = twenty_page_result()
    print(f"core speed: a fixed loop of ten million additions takes {core_speed():.2f} s CPU "
          f"on this machine")
    if not args.memory_only:
        timings(result, args)
    if args.renders:
        memory(result, args.renders)


def settled(settle_seconds: int = 2, downloads: int = 20) -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from web_load import BenchSite

    site = BenchSite(assessments=1, settle_seconds=settle_seconds).start()
    try:
        client, assessment_id = site.client(), site.assessment_ids[0]
        question = "contain.circuit-breakers"
        status, _, _ = client.post(
            f"/assessments/{assessment_id}/answers",
            {"scope": "system", "question": question, f"{question}-choice": "none",
             f"{question}-version": "1", f"{question}-note": "changed for the benchmark"},
            accept="application/json")
        changed = time.monotonic()
        assert status == 200, f"the change was refused ({status})"
        while site.cached_pdfs() == 0 and time.monotonic() - changed < 600:
            time.sleep(0.05)
        cached = time.monotonic() - changed - settle_seconds
        url = f"/assessments/{assessment_id}/report.pdf"
        times = []
        for _ in range(downloads):
            status, body, elapsed = client.get(url)
            assert status == 200 and body.startswith(b"%PDF"), status
            times.append(elapsed)
        download = statistics.median(times)
        print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        print(f"settled -> cached: {cached:.1f} s after the assessment settled "
              f"({settle_seconds} s without a change), {len(body) / 1024:.0f} KiB")
        p95 = sorted(times)[int(0.95 * (downloads - 1))]
        print(f"download of a settled assessment's PDF (median of {downloads}): "
              f"{download * 1000:.1f} ms (p95 {p95 * 1000:.1f} ms)  {verdict(download, 0.050)}")
    finally:
        site.stop()


def memory(result: dict, renders: int) -> None:
    first, peak, workers = worker_growth(result, renders)
    change = (peak - first) / first * 100
    print(f"worker memory over {renders} renders: {first:.0f} MiB after its first render, "
          f"at most {peak:.0f} MiB ({change:+.1f} %, {workers} workers)  "
          f"{'ok' if change < 10 else 'OVER target 10 %'}")
    plain = max(10, renders // 4)
    before, after = in_process_growth(result, plain)
    print(f"in-process memory over {plain} renders (no recycling): {before:.0f} MiB -> "
          f"{after:.0f} MiB ({(after - before) / before * 100:+.1f} %, "
          f"{(after - before) / plain:.2f} MiB a render)")


def timings(result: dict, args) -> None:
    colds = [cold_once() for _ in range(args.cold_runs)]
    cold, cold_cpu, peak = (statistics.median(c[i] for c in colds) for i in range(3))
    pdf = render_pdf(result, **OPTIONS)
    warm, warm_cpu = timed(lambda: render_pdf(result, **OPTIONS), args.warm_runs)
    with tempfile.TemporaryDirectory() as cache_dir:
        get_or_render_pdf(result, cache_dir, **OPTIONS)
        cached, _ = timed(lambda: get_or_render_pdf(result, cache_dir, **OPTIONS), 50)
    first_via_worker = statistics.median(worker_cold(result) for _ in range(3))
    shared_worker().stop()

    print(f"report: {page_count(pdf)} pages, {len(pdf) / 1024:.0f} KiB")
    print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"cold   (median of {args.cold_runs} fresh processes): {cold:.3f} s "
          f"(CPU {cold_cpu:.3f} s)  {verdict(cold, TARGETS['cold'])}")
    print(f"warm   (median of {args.warm_runs}): {warm:.3f} s (CPU {warm_cpu:.3f} s)  "
          f"{verdict(warm, TARGETS['warm'])}")
    print(f"warm render per page: {warm / page_count(pdf) * 1000:.0f} ms")
    print(f"cached (median of 50 hits): {cached * 1000:.2f} ms  "
          f"{verdict(cached, TARGETS['cached'])}")
    print(f"worker cold (process start + first render, median of 3): {first_via_worker:.3f} s")
    print(f"peak memory of a cold render: {peak:.0f} MiB")


if __name__ == "__main__":
    main()
