"""The body of `faultline review`: run the review, write the chosen format, pick the exit code.

Exit codes: 0 nothing at or above `--fail-on` (or a baseline was just written), 1 findings at or
above it, 2 usage error (raised as click usage errors), 3 the tool itself failed.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

import click

from webapp.domain.text import counted
from webapp.reviewer import suppress
from webapp.reviewer.engine import Report, review

log = logging.getLogger(__name__)

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_FAILURE = 0, 1, 2, 3


def run(paths: tuple[Path, ...], fmt: str, output: Path | None, fail_on: str,
        baseline: Path | None, write_baseline: Path | None) -> int:
    accepted = _read_baseline(baseline)
    try:
        report = review(paths, baseline=accepted)
    except Exception as exc:  # any crash of ours: tell the user and exit 3, never a traceback
        log.exception("review failed")
        click.echo(f"faultline review: internal error: {exc}", err=True)
        return EXIT_FAILURE
    try:
        _write_outputs(report, fmt, output, write_baseline)
    except OSError as exc:
        click.echo(f"faultline review: cannot write {exc.filename}: {exc.strerror}", err=True)
        return EXIT_USAGE
    if write_baseline:
        return EXIT_OK  # the findings were just accepted
    return EXIT_FINDINGS if report.fails(fail_on) else EXIT_OK


def _write_outputs(report: Report, fmt: str, output: Path | None,
                   write_baseline: Path | None) -> None:
    if write_baseline:
        write_baseline.write_text(suppress.baseline_json(report.findings), encoding="utf-8")
        click.echo(f"wrote a baseline of {counted(len(report.active), 'finding')} "
                   f"to {write_baseline}", err=True)
    _emit(report, fmt, output)


def _read_baseline(path: Path | None) -> set[str]:
    if path is None:
        return set()
    try:
        return suppress.load_baseline(path)
    except suppress.BaselineError as exc:
        raise click.BadParameter(str(exc), param_hint="--baseline") from None


def _emit(report: Report, fmt: str, output: Path | None) -> None:
    text = render(report, fmt, color=output is None and _colour_terminal())
    if output is None:
        click.echo(text, nl=False, color=True)
    else:
        output.write_text(text, encoding="utf-8")


def render(report: Report, fmt: str, color: bool = False) -> str:
    if fmt == "json":
        from webapp.reviewer.output import render_json

        return render_json(report)
    if fmt == "sarif":
        from webapp.reviewer.sarif import render_sarif

        return render_sarif(report)
    from webapp.reviewer.output import render_text

    return render_text(report, color=color)


def _colour_terminal() -> bool:
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ
