"""`faultline lens import|export|list`: AWS custom lenses on the command line.

Import and list need the database (DATABASE_URL, migrated first); exporting Faultline's own
questionnaire needs only the content files.
"""

from __future__ import annotations

import json
from contextlib import contextmanager

import click


@click.group("lens")
def lens() -> None:
    """AWS Well-Architected custom lenses (schemaVersion 2021-11-01)."""


@contextmanager
def _session():
    from webapp import server
    from webapp.core.db import session_scope

    server.upgrade()
    with server.command_app() as app, app.app_context(), session_scope(app) as session:
        yield session


@lens.command("import")
@click.argument("file", type=click.File("rb"))
def import_command(file) -> None:
    """Validate FILE and store it as a questionnaire (a changed file becomes a new version)."""
    from webapp.domain.lens import LensInvalid
    from webapp.lenses.services import import_lens

    raw = file.read()
    with _session() as session:
        try:
            imported = import_lens(session, raw)
        except LensInvalid as error:
            for problem in error.problems:
                click.echo(f"{file.name}: {problem}", err=True)
            raise SystemExit(1) from None
        row, questions = imported.row, len(imported.lens.questions())
        verb = "imported" if imported.created else "unchanged, already stored as"
        click.echo(
            f"{verb} “{row.name}”: {row.questionnaire_id} version {row.version} "
            f"({len(imported.lens.pillars)} pillars, {questions} questions)"
        )
        for warning in imported.warnings:
            click.echo(f"warning: {warning}", err=True)


@lens.command("list")
def list_command() -> None:
    """The imported lenses, every version."""
    from webapp.lenses.services import all_versions

    with _session() as session:
        for row in all_versions(session):
            click.echo(f"{row.questionnaire_id}\tversion {row.version}\t{row.name}")


@lens.command("export")
@click.option(
    "--lens",
    "lens_id",
    metavar="ID[@VERSION]",
    help="An imported lens (lens:KEY or KEY); default: Faultline's questionnaire.",
)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, writable=True), help="Write to FILE."
)
@click.option(
    "--content-dir",
    type=click.Path(file_okay=False, path_type=str),
    envvar="FAULTLINE_CONTENT_DIR",
    help="Folder holding questionnaires/ and rules/.",
)
def export_command(lens_id: str | None, output: str | None, content_dir: str | None) -> None:
    """Write a lens file that the AWS Well-Architected Tool imports."""
    data = _imported(lens_id) if lens_id else _faultline(content_dir)
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if output:
        with open(output, "w", encoding="utf-8") as handle:
            handle.write(text)
    else:
        click.echo(text, nl=False)


def _faultline(content_dir: str | None) -> dict:
    from webapp.cli import _load
    from webapp.domain.lens import read_lens
    from webapp.domain.lens_export import questionnaire_lens

    content = _load(content_dir)
    data = questionnaire_lens(content.questionnaire(), content.rules_for(content.engine()))
    read_lens(json.dumps(data))  # the same validator as an import: never write a bad file
    return data


def _imported(lens_id: str) -> dict:
    from webapp.domain.lens_export import lens_json
    from webapp.lenses.services import find_version, parsed

    key, _, version = lens_id.removeprefix("lens:").partition("@")
    if version and not version.isdigit():
        raise click.BadParameter(f"version {version!r} is not a number", param_hint="--lens")
    with _session() as session:
        row = find_version(session, key, int(version) if version else None)
        if row is None:
            raise click.ClickException(f"no imported lens {lens_id!r} (see: faultline lens list)")
        return lens_json(parsed(row))


# --- faultline report on a review on a lens ------------------------------------------------


def _refuse(message: str) -> None:
    click.echo(f"faultline report: {message}", err=True)
    raise SystemExit(2)


def report_lens(answers_path, lens_path, fmt: str, fail_on: str | None) -> tuple[bytes, list]:
    """(the report bytes, gate reasons) of an answers file on a lens, read with the lens file
    it answers (no database: the same input gives the same JSON)."""
    from pathlib import Path

    from webapp.domain.errors import AnswersError
    from webapp.domain.lens import LensInvalid, read_lens, slug
    from webapp.domain.lens_answers import LENS_PREFIX, parse_lens_answers_text
    from webapp.domain.lens_result import evaluate_lens

    if lens_path is None:
        _refuse(f"{Path(answers_path).name} answers a lens: give its lens file with --lens")
    try:
        lens = read_lens(Path(lens_path).read_bytes())
        data = parse_lens_answers_text(Path(answers_path).read_text(encoding="utf-8"), lens,
                                       Path(answers_path).name)
    except (LensInvalid, AnswersError, OSError, UnicodeDecodeError) as error:
        _refuse(str(error))
    qid = LENS_PREFIX + slug(lens.name)
    if data.questionnaire not in ("", qid):
        _refuse(f"the file answers {data.questionnaire}, the lens file is {qid}")
    result = evaluate_lens(lens, data.answers)
    return _lens_output(result, data, qid, fmt), _lens_gate(result, fail_on)


def _lens_output(result, data, qid: str, fmt: str) -> bytes:
    from webapp.domain.lens_result_json import lens_result_json
    from webapp.report import lens as lens_report

    version = data.version or 1
    if fmt == "json":
        return (json.dumps(lens_result_json(result, qid, version), indent=2,
                           ensure_ascii=False) + "\n").encode()
    report = lens_report.lens_report_data(result, system_name=data.name or "System", team="",
                                          lens_version=version, description=data.description)
    if fmt == "pdf":
        return lens_report.render_lens_pdf(report)
    return lens_report.render_lens_html(report).encode()


def _lens_gate(result, fail_on: str | None) -> list[str]:
    """--fail-on high: a high risk remains; medium (or low): a high or medium one."""
    from webapp.domain.lens_result import Risk

    if fail_on is None:
        return []
    risks = (Risk.HIGH,) if fail_on in ("critical", "high") else (Risk.HIGH, Risk.MEDIUM)
    return [f"{q.risk.label.lower()}: {q.question.title} ({q.pillar.name})"
            for q in result.plan if q.risk in risks]
