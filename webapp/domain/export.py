"""The questionnaire for tools (`faultline questionnaire --format json`) and the blank answers
file (`faultline template`)."""

from __future__ import annotations

import json
from typing import Any

from .models import Question, Questionnaire, Section


def _question_dict(section: Section, q: Question) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": q.id,
        "text": q.text,
        "help": q.help,
        "type": q.type,
        "choices": [{"id": c.id, "label": c.label, "score": c.score} for c in q.choices],
        "na_allowed": q.na_allowed,
    }
    if q.pattern:
        out["pattern"] = q.pattern
    elif section.kind == "layer":
        out["layer"] = section.layer
    if q.describes:
        out["describes"] = q.describes
    return out


def questionnaire_dict(q: Questionnaire) -> dict[str, Any]:
    return {
        "id": q.id,
        "version": q.version,
        "title": q.title,
        "sections": [
            {
                "id": s.id,
                "kind": s.kind,
                "title": s.title,
                "questions": [_question_dict(s, x) for x in s.questions],
            }
            for s in q.sections
        ],
    }


def questionnaire_json(q: Questionnaire) -> str:
    return json.dumps(questionnaire_dict(q), indent=2, ensure_ascii=False) + "\n"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _question_lines(q: Question, indent: str) -> list[str]:
    kind = "one or more choice ids as a list, e.g. [a, b]" if q.type == "multi" else "one choice id"
    lines = [f"{indent}# {_one_line(q.text)}", f"{indent}#   answer with {kind}:"]
    for c in q.choices:
        score = "" if c.score is None or not q.scored else f" (score {c.score})"
        lines.append(f"{indent}#     {c.id}: {_one_line(c.label)}{score}")
    if q.na_allowed:
        lines.append(f"{indent}#     or {{na: <why it does not apply>}}")
    if q.ask_if is not None:
        lines.append(f"{indent}#   asked only when earlier answers make it apply"
                     + (f" (otherwise: does not apply because {_one_line(q.ask_if_reason)})"
                        if q.ask_if_reason else ""))
    return lines + [f"{indent}{q.id}:"]


def _section_lines(section: Section, indent: str) -> list[str]:
    lines = [f"{indent}# == {_one_line(section.title)} =="]
    if section.ask_if is not None:
        lines.append(f"{indent}# (this section is asked only when earlier answers make it apply"
                     + (f"; otherwise: does not apply because {_one_line(section.ask_if_reason)})"
                        if section.ask_if_reason else ")"))
    for q in section.questions:
        lines += _question_lines(q, indent)
    return lines + [""]


HEADER = """\
# Faultline answers file: {title} ({id}, version {version}).
#
# Answer each question after its colon. Leave a question blank to skip it: unanswered
# questions lower the coverage and never count as good. Notes are Markdown:
#   notes: {{<question id>: "text"}}
# Produce the review with: faultline report THIS-FILE.yaml --format html -o review.html
"""


def answers_template(q: Questionnaire) -> str:
    """A blank answers file listing every question with its choices as comments."""
    system = [s for s in q.sections if s.kind != "workflow"]
    workflow = [s for s in q.sections if s.kind == "workflow"]
    lines = [
        HEADER.format(title=q.title, id=q.id, version=q.version),
        f"questionnaire: {q.id}",
        f"version: {q.version}",
        "system:",
        '  name: ""',
        '  description: ""',
        "answers:",
    ]
    for section in system:
        lines += _section_lines(section, "  ")
    lines += [
        "notes: {}",
        "workflows:",
        "  # One entry per automated workflow: copy this block and give each a unique name.",
        "  - name: first-workflow",
        "    answers:",
    ]
    for section in workflow:
        lines += _section_lines(section, "      ")
    lines += ["    notes: {}", ""]
    return "\n".join(lines)
