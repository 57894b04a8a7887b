"""What a page of questions shows: each question with its form, saved answer, findings."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from flask import request

from webapp.assessments.answers import Conflict, StoredAnswer, stored
from webapp.assessments.evaluation import finding_anchor, question_anchor
from webapp.assessments.forms import SectionForm, initial_data, make_section_form
from webapp.assessments.models import Answer
from webapp.domain import Result
from webapp.domain.index import QuestionInfo
from webapp.report.notes import render_note


@dataclass(frozen=True)
class FindingLink:
    rule: str
    title: str
    severity: str
    anchor: str
    workflow: str | None


@dataclass
class QuestionView:
    info: QuestionInfo
    saved: StoredAnswer
    findings: list[FindingLink]
    conflict: Conflict | None = None
    #: "Does not apply because …" while earlier answers make the question irrelevant (`ask_if`)
    not_asked: str | None = None
    #: asked for the first time since this assessment was upgraded to a new version
    new: bool = False

    @property
    def anchor(self) -> str:
        return question_anchor(self.info.id)

    @property
    def note_html(self) -> str:
        return render_note(self.saved.value.note)

    @property
    def conflict_note_html(self) -> str:
        return render_note(self.conflict.theirs.value.note) if self.conflict else ""

    def label(self, choice_id: str) -> str:
        return self.info.labels.get(choice_id, choice_id)


@dataclass
class QuestionGroup:
    id: str
    title: str | None
    asks: str | None
    questions: list[QuestionView] = field(default_factory=list)

    @property
    def asked(self) -> list[QuestionView]:
        """The questions that apply, given the answers so far."""
        return [q for q in self.questions if q.not_asked is None]

    @property
    def answered(self) -> int:
        return sum(q.saved.value.is_answered for q in self.asked)


def build_form(infos: list[QuestionInfo], rows: Mapping[str, Answer]) -> SectionForm:
    """The page's form: what was posted, or the stored answers on a GET."""
    form_class = make_section_form(infos)
    if request.method == "POST":
        return form_class()
    data = {}
    for info in infos:
        saved = stored(rows.get(info.id))
        data[info.id] = initial_data(saved.value, saved.version, info.question.type == "multi")
    return form_class(formdata=None, data=data)


def finding_links(
    result: Result | None, qids: Iterable[str], position: int | None
) -> dict[str, list[FindingLink]]:
    """Question id -> the findings it currently causes (system page: position None)."""
    wanted, out = set(qids), {}
    for finding in result.findings if result else ():
        if position is not None and finding.position != position:
            continue
        link = FindingLink(
            finding.rule,
            finding.title,
            finding.severity,
            finding_anchor(finding.rule, finding.position),
            finding.workflow,
        )
        for ref in finding.because:
            if ref.question in wanted:
                out.setdefault(ref.question, []).append(link)
    return out


def question_views(
    infos: list[QuestionInfo],
    rows: Mapping[str, Answer],
    findings: Mapping[str, list[FindingLink]],
    conflicts: Iterable[Conflict] = (),
) -> dict[str, QuestionView]:
    by_question = {c.question_id: c for c in conflicts}
    return {
        info.id: QuestionView(
            info, stored(rows.get(info.id)), findings.get(info.id, []), by_question.get(info.id)
        )
        for info in infos
    }
