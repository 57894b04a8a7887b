"""How fast `faultline review` reads the real-world corpus: files per second.

Runs the whole review (discovery, parsing, schema validation, every check, fingerprints,
suppressions) in one process over the YAML files of ../shared/corpus and the GitLab CI fixtures
of tests/reviewer/fixtures/gitlab, several times, and prints the median. Target: >= 100 files/s.

Two figures: per second of the process's own CPU time (what the code costs, steady on a shared
machine) and per second of wall-clock time (what a user waits, inflated when other processes
compete for the cores; the load average is printed beside it).

    python benchmarks/review.py [--runs 15] [--corpus PATH]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

from webapp.reviewer import load_checks, review

_REPO = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = next((p for p in (_REPO.parent / "shared" / "corpus",
                                   _REPO.parent.parent / "shared" / "corpus") if p.is_dir()),
                      _REPO.parent / "shared" / "corpus")
TARGET = 100.0


GITLAB_FIXTURES = _REPO / "tests" / "reviewer" / "fixtures" / "gitlab"


def corpus_files(corpus: Path) -> list[Path]:
    return sorted(p for kind in ("gha", "compose", "k8s") for p in (corpus / kind).glob("*.y*ml"))


def pipelines() -> list[Path]:
    """One review per GitLab project: its files form one pipeline."""
    return sorted(p for p in GITLAB_FIXTURES.iterdir() if p.is_dir())


def measure(files: list[Path], root: Path, runs: int) -> tuple[list[float], list[float]]:
    checks = load_checks()
    cpu_rates, wall_rates = [], []
    for _ in range(runs):
        wall, cpu, count = time.perf_counter(), time.process_time(), 0
        count += len(review(files, root=root, checks=checks).files)
        for project in pipelines():
            count += len(review([project], root=project, checks=checks).files)
        cpu_rates.append(count / (time.process_time() - cpu))
        wall_rates.append(count / (time.perf_counter() - wall))
    return cpu_rates, wall_rates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    args = parser.parse_args()
    files = corpus_files(args.corpus)
    if not files:
        raise SystemExit(f"no corpus files under {args.corpus}")
    start = time.perf_counter()
    load_checks()
    print(f"loading {len(load_checks())} checks: {(time.perf_counter() - start) * 1000:.0f} ms")
    measure(files, args.corpus, 2)  # warm-up: imports, compiled schemas, regex caches
    cpu_rates, wall_rates = measure(files, args.corpus, args.runs)
    total = len(files) + sum(len(list(p.rglob("*.yml"))) for p in pipelines())
    for label, rates in (("CPU time", cpu_rates), ("wall clock", wall_rates)):
        median = statistics.median(rates)
        print(f"{total} files x {args.runs} runs, {label}: median {median:.0f} files/s "
              f"(min {min(rates):.0f}, max {max(rates):.0f}); target {TARGET:.0f} files/s: "
              + ("met" if median >= TARGET else "NOT met"))
    print(f"load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
