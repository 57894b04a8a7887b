"""The `faultline` command line.

Each command is a thin shell over a module that does the work, and imports it lazily so that
content commands (check, questionnaire, template, report, review) start fast and never need the
web stack.
"""

from __future__ import annotations

import click

from webapp import __version__


@click.group()
@click.version_option(__version__, prog_name="faultline")
def main() -> None:
    """Faultline: reliability reviews for systems and their automated workflows."""


# --- server commands (serve, db) -------------------------------------------------------------


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=int, help="Port to listen on.")
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 256),
              help="Threads per web process.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Web processes: 1 serves with waitress, more with gunicorn (preloaded, "
                   "recycled after a number of requests).")
@click.option("--queue-threads", default=1, show_default=True, type=click.IntRange(1, 32),
              help="PDFs the queue worker started beside the server renders at once.")
@click.option("--no-queue", is_flag=True,
              help="Start no queue worker here (they run elsewhere: `faultline worker`).")
def serve(host: str, port: int, threads: int, workers: int, queue_threads: int,
          no_queue: bool) -> None:
    """Serve the web app and one queue worker; creates or migrates the database first."""
    from webapp import server

    server.serve(host, port, threads, workers, queue_threads, with_queue=not no_queue)


@main.command()
@click.option("--threads", default=1, show_default=True, type=click.IntRange(1, 32),
              help="PDFs rendered at once by this worker.")
@click.option("--exit-with-parent", is_flag=True, hidden=True)
def worker(threads: int, exit_with_parent: bool) -> None:
    """Run a queue worker (PDFs); start more, on this or other machines sharing the database,
    FAULTLINE_REDIS_URL and FAULTLINE_REPORT_CACHE_DIR."""
    from webapp import server

    server.worker(threads, exit_with_parent)


@main.group()
def db() -> None:
    """Database schema migrations (DATABASE_URL, default: SQLite in ./instance)."""


@db.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Migrate the schema up to REVISION (default: the latest)."""
    from webapp import server

    server.upgrade(revision)
    click.echo(f"database at {server.current()}")


@db.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Migrate the schema down to REVISION (`base` empties the database)."""
    from webapp import server

    server.downgrade(revision)
    click.echo(f"database at {server.current()}")


@db.command("current")
def db_current() -> None:
    """Show the schema revision of the database."""
    from webapp import server

    click.echo(server.current())


@main.group()
def admin() -> None:
    """Administrators of this installation."""


@admin.command("create")
@click.option("--email", required=True, help="Their email (an existing account is promoted).")
@click.option("--name", default="", help="Their name, for a new account.")
def admin_create(email: str, name: str) -> None:
    """Make an administrator: a new account (asks for a password) or an existing one."""
    from webapp import server

    click.echo(server.create_admin(email, name))


# --- content commands (check, questionnaire, template, report) ------------------------------

_content_dir = click.option(
    "--content-dir", type=click.Path(file_okay=False, path_type=str),
    envvar="FAULTLINE_CONTENT_DIR",
    help="Folder holding questionnaires/ and rules/ (default: the installed content).",
)


def _load(content_dir: str | None):  # -> Content; exits 1 on invalid content
    from webapp.domain import ContentError, load_content
    from webapp.domain.loader import default_content_dir

    try:
        return load_content(content_dir or default_content_dir())
    except ContentError as exc:
        click.echo(str(exc), err=True)
        raise SystemExit(1) from None


@main.command()
@_content_dir
def check(content_dir: str | None) -> None:
    """Validate all content, run every rule's examples and the rule linter."""
    from webapp.core.text import counted
    from webapp.domain.checks import run_check
    from webapp.domain.errors import summarize
    from webapp.domain.loader import default_content_dir

    content, problems = run_check(content_dir or default_content_dir())
    if problems:
        click.echo(summarize(problems, "faultline check failed"), err=True)
        raise SystemExit(1)
    examples = sum(len(s.fires) + len(s.quiet)
                   for sets in content.example_sets.values() for s in sets)
    click.echo(f"Content OK: {counted(len(content.questionnaires), 'questionnaire')}, "
               f"{len(content.rules)} rules, {examples} rule examples, "
               f"{len(content.scenarios)} scenarios; linter clean.")


@main.command()
@click.option("--format", "fmt", type=click.Choice(["json"]), default="json", show_default=True)
@click.option("--id", "questionnaire_id", help="Questionnaire id (default: the first).")
@_content_dir
def questionnaire(fmt: str, questionnaire_id: str | None, content_dir: str | None) -> None:
    """Print the questionnaire (sections, questions, choices and scores) for tools."""
    from webapp.domain.export import questionnaire_json

    click.echo(questionnaire_json(_load(content_dir).questionnaire(questionnaire_id)), nl=False)


@main.command()
@click.option("--id", "questionnaire_id", help="Questionnaire id (default: the first).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True),
              help="Write to FILE.")
@_content_dir
def template(questionnaire_id: str | None, output: str | None, content_dir: str | None) -> None:
    """Print a blank answers file listing every question with its choices."""
    from webapp.domain.export import answers_template

    _write(answers_template(_load(content_dir).questionnaire(questionnaire_id)).encode(), output)


def _write(data: bytes, output: str | None) -> None:
    if output:
        with open(output, "wb") as handle:
            handle.write(data)
    else:
        click.echo(data, nl=False)


def _render(result, fmt: str, edition: str = "full") -> bytes:  # the typed domain Result
    try:
        from webapp import report
        render = report.render_html if fmt == "html" else report.render_pdf
    except (ImportError, AttributeError):
        click.echo(f"faultline report: --format {fmt} needs the report renderer "
                   f"(webapp.report.render_{fmt}), which is not available.", err=True)
        raise SystemExit(2) from None
    from webapp.core.config import ConfigError, pdf_page_size

    try:
        page_size = pdf_page_size()
    except ConfigError as error:
        raise click.ClickException(str(error)) from None
    out = render(result, page_size=page_size, edition=edition)
    return out.encode() if isinstance(out, str) else out


def _with_evidence(answers, folder, content):  # workflows' `file:` reviewed; exits 2 if unusable
    from webapp.assessments.evidence import EvidenceFileError, apply_files

    try:
        return apply_files(answers, folder, content)
    except EvidenceFileError as exc:
        click.echo(f"faultline report: {exc}", err=True)
        raise SystemExit(2) from None


@main.command()
@click.argument("answers_file", type=click.Path(exists=True, dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["json", "html", "pdf"]), default="json",
              show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True),
              help="Write to FILE.")
@click.option("--fail-on", type=click.Choice(["critical", "high", "medium", "low"]),
              help="Exit 1 when a finding at or above this severity remains.")
@click.option("--min-score", type=click.FloatRange(0, 100),
              help="Exit 1 when the overall score is below N (0-100).")
@click.option("--edition", type=click.Choice(["full", "executive"]), default="full",
              show_default=True, help="html/pdf: the full review or the short executive edition.")
@click.option("--lens", "lens_file", type=click.Path(exists=True, dir_okay=False),
              help="A review on a lens: the lens file (JSON) the answers file answers.")
@_content_dir
def report(answers_file: str, fmt: str, output: str | None, fail_on: str | None,
           min_score: float | None, content_dir: str | None, edition: str,
           lens_file: str | None) -> None:
    """Produce the full review from an answers file (YAML).

    With --fail-on or --min-score it is also a CI gate: exit 1 when the gate fails, printing
    one line per reason on standard error."""
    from pathlib import Path

    from webapp.domain import AnswersError, evaluate_result, load_answers, result_to_json

    if lens_file or _answers_a_lens(Path(answers_file)):
        from webapp.commands.lens import report_lens

        data, reasons = report_lens(answers_file, lens_file, fmt, fail_on)
        _write(data, output)
        _gate_reasons(reasons)
        return
    content = _load(content_dir)
    try:
        answers = load_answers(Path(answers_file), content)
    except AnswersError as exc:
        click.echo(str(exc), err=True)
        raise SystemExit(2) from None
    answers = _with_evidence(answers, Path(answers_file).parent, content)
    result = evaluate_result(content, answers)
    data = result_to_json(result).encode() if fmt == "json" else _render(result, fmt, edition)

    _write(data, output)
    _gate(result, fail_on, min_score)


@main.command()
@click.argument("answers_file", type=click.Path(exists=True, dir_okay=False))
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True),
              help="Write to FILE (default: <name>-v<version>.yaml beside the answers file).")
@click.option("--force", is_flag=True, help="Replace the output file when it exists.")
@_content_dir
def upgrade(answers_file: str, output: str | None, force: bool, content_dir: str | None) -> None:
    """Carry an answers file to the newest questionnaire version (a new file; the original
    stays as it is). Answers to retired questions are kept as comments in the new file."""
    from pathlib import Path

    from webapp.domain import AnswersError
    from webapp.domain.upgrade_file import UpgradeRefused, upgrade_text

    content, source = _load(content_dir), Path(answers_file)
    try:
        upgraded = upgrade_text(content, source.read_text(encoding="utf-8"), source.name)
    except AnswersError as exc:
        click.echo(str(exc), err=True)
        raise SystemExit(2) from None
    except UpgradeRefused as exc:
        click.echo(f"faultline upgrade: {exc}", err=True)
        raise SystemExit(2) from None
    target = Path(output) if output else source.with_name(
        f"{source.stem}-v{upgraded.report.to_version}{source.suffix}")
    if target.exists() and not force:
        click.echo(f"faultline upgrade: {target} exists; pass --force to replace it or -o to "
                   "write elsewhere", err=True)
        raise SystemExit(2)
    target.write_text(upgraded.text, encoding="utf-8")
    click.echo("\n".join(upgraded.summary(source.name, str(target))))


def _gate(result, fail_on: str | None, min_score: float | None) -> None:
    if fail_on is None and min_score is None:
        return
    from webapp.domain.gate import gate_reasons
    from webapp.results.adapter import result_json

    _gate_reasons(gate_reasons(result_json(result), fail_on, min_score))


def _gate_reasons(reasons: list[str]) -> None:
    for reason in reasons:
        click.echo(f"faultline gate: {reason}", err=True)
    if reasons:
        raise SystemExit(1)


def _answers_a_lens(path) -> bool:
    from webapp.domain.lens_answers import is_lens_file

    try:
        return is_lens_file(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return False


@main.command("import")
@click.argument("answers_file", type=click.Path(exists=True, dir_okay=False))
@click.option("--team", "team", required=True, help="Name of the team the assessment belongs to.")
@click.option("--into", type=int, help="Import into this assessment id (default: a new one).")
@click.option("--user", "email", help="Email of the member recorded as the author "
              "(default: the team's first owner).")
def import_answers(answers_file: str, team: str, into: int | None, email: str | None) -> None:
    """Load an answers file into the web app's database (DATABASE_URL)."""
    from pathlib import Path

    from webapp.commands.import_answers import ImportRefused, run

    try:
        click.echo(run(Path(answers_file), team, email, into))
    except ImportRefused as error:
        click.echo(f"faultline import: {error}", err=True)
        raise SystemExit(1) from None


# --- automation reviewer (review) ------------------------------------------------------------

import pathlib  # noqa: E402 - kept inside the review block, which owns it

from webapp.domain.vocabulary import SEVERITIES  # noqa: E402


@main.command("review")
@click.argument("paths", nargs=-1, required=True,
                type=click.Path(exists=True, path_type=pathlib.Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif"]), default="text",
              show_default=True, help="Output format.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=pathlib.Path),
              help="Write to this file instead of standard output.")
@click.option("--fail-on", type=click.Choice(SEVERITIES),
              default="low", show_default=True,
              help="Exit 1 when a finding at or above this severity remains.")
@click.option("--baseline", type=click.Path(exists=True, dir_okay=False, path_type=pathlib.Path),
              help="Suppress findings whose fingerprints this baseline file lists.")
@click.option("--write-baseline", type=click.Path(dir_okay=False, path_type=pathlib.Path),
              help="Write a baseline accepting every current finding, then exit 0.")
def review_command(paths, fmt, output, fail_on, baseline, write_baseline) -> None:
    """Review GitHub Actions workflows, GitLab CI pipelines, compose files and Kubernetes
    manifests (files or folders) for reliability problems. Exit 0: clean, 1: findings,
    2: usage error, 3: failure."""
    from webapp.reviewer.command import run

    raise SystemExit(run(paths, fmt, output, fail_on, baseline, write_baseline))


def _lens_commands() -> None:
    from webapp.commands.lens import lens

    main.add_command(lens)


_lens_commands()


if __name__ == "__main__":  # the queue worker `faultline serve` starts
    main()
