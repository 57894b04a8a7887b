"""How fast `faultline review` reads the real-world corpus: files per second.

Runs the whole review (discovery, parsing, every check, fingerprints, suppressions) over the
YAML files of ../shared/corpus several times and prints the median. Target: >= 100 files/s.

    python benchmarks/review.py [--runs 15] [--corpus PATH]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from webapp.reviewer import load_checks, review

_REPO = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = next((p for p in (_REPO.parent / "shared" / "corpus",
                                   _REPO.parent.parent / "shared" / "corpus") if p.is_dir()),
                      _REPO.parent / "shared" / "corpus")
TARGET = 100.0


def corpus_files(corpus: Path) -> list[Path]:
    return sorted(p for kind in ("gha", "compose", "k8s") for p in (corpus / kind).glob("*.y*ml"))


def measure(files: list[Path], root: Path, runs: int) -> list[float]:
    checks = load_checks()
    rates = []
    for _ in range(runs):
        start = time.perf_counter()
        report = review(files, root=root, checks=checks)
        elapsed = time.perf_counter() - start
        rates.append(len(report.files) / elapsed)
    return rates


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
    measure(files, args.corpus, 2)  # warm-up: imports, regex caches
    rates = measure(files, args.corpus, args.runs)
    median = statistics.median(rates)
    print(f"{len(files)} files x {args.runs} runs: median {median:.0f} files/s "
          f"(min {min(rates):.0f}, max {max(rates):.0f}); target {TARGET:.0f} files/s: "
          + ("met" if median >= TARGET else "NOT met"))


if __name__ == "__main__":
    main()
