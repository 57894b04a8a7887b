"""Assessment forms, the question pages' forms built at run time from a questionnaire section.

`make_section_form(questions)` returns a form class with one sub-form per question, named by
the question id (so a question's inputs are `<question id>-choice`, `-na`, `-na_reason`,
`-note`, `-version`, `-orig`). Each question type has its own small sub-form class. Choice ids
are checked by the answers service's `answer_problem`, the one place that knows what a valid
answer is, so an unknown id gets the same message here and in autosave.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    widgets,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from webapp.assessments.answers import AnswerInput, AnswerValue, answer_problem
from webapp.assessments.models import NOTE_MAX_CHARS
from webapp.domain.index import QuestionInfo
from webapp.domain.models import Question

NA_REASON_MAX = 1000


def value_digest(value: AnswerValue) -> str:
    """A short fingerprint of an answer as shown, to tell touched questions from untouched."""
    raw = json.dumps([list(value.choices), value.na_reason, value.note], ensure_ascii=False)
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class QuestionForm(Form):
    """The inputs every question has; subclasses add the choice field for their type."""

    na = BooleanField("Not applicable")
    na_reason = StringField(
        "Why it does not apply", validators=[Optional(), Length(max=NA_REASON_MAX)]
    )
    note = TextAreaField(
        "Notes and evidence",
        validators=[
            Length(
                max=NOTE_MAX_CHARS,
                message=(
                    f"Notes are limited to {NOTE_MAX_CHARS:,} characters. "
                    "Shorten this one or link to a document instead."
                ),
            )
        ],
        description="Markdown. Links to runbooks, dashboards or tickets help the next reader.",
    )
    version = HiddenField(default="0")
    orig = HiddenField(default="")

    info: QuestionInfo  # set on the generated subclass

    def answer_value(self) -> AnswerValue:
        na = bool(self.na.data)
        reason = (self.na_reason.data or "").strip() if na else None
        return AnswerValue(() if na else self.chosen(), reason, self.note.data or "")

    def chosen(self) -> tuple[str, ...]:
        raise NotImplementedError

    def base_version(self) -> int:
        try:
            return max(int(self.version.data or 0), 0)
        except ValueError:
            return 0

    def touched(self) -> bool:
        """Whether the person changed anything since the page was shown."""
        return value_digest(self.answer_value()) != (self.orig.data or "")

    def validate(self, extra_validators: Mapping[str, Any] | None = None) -> bool:
        valid = super().validate(extra_validators)
        if not valid:
            return False
        problem = answer_problem(self.info, self.answer_value())
        if problem is None:
            return True
        self._place(problem)
        return False

    def _place(self, problem: str) -> None:
        if "not apply" in problem:
            target = self.na_reason
        elif "Notes" in problem:
            target = self.note
        else:
            target = self.choice  # type: ignore[attr-defined]
        target.errors = [*target.errors, problem]


class SingleChoiceForm(QuestionForm):
    """One answer: a radio group."""

    def chosen(self) -> tuple[str, ...]:
        data = self.choice.data  # type: ignore[attr-defined]
        return (data,) if data else ()


class MultiChoiceForm(QuestionForm):
    """Several answers: a checkbox group."""

    def chosen(self) -> tuple[str, ...]:
        return tuple(self.choice.data or ())  # type: ignore[attr-defined]


def _choices(question: Question) -> list[SelectChoice]:
    return [SelectChoice(c.id, c.label) for c in question.choices]


def _question_form_class(info: QuestionInfo) -> type[QuestionForm]:
    question = info.question
    if question.type == "multi":
        base: type[QuestionForm] = MultiChoiceForm
        field = MultiCheckboxField(question.text, choices=_choices(question), validate_choice=False)
    else:
        base = SingleChoiceForm
        field = RadioField(question.text, choices=_choices(question), validate_choice=False)
    return type(f"Question_{info.order}", (base,), {"choice": field, "info": info})


class SectionForm(FlaskForm):
    """A page of questions; iterate `questions()` for (info, sub-form) pairs."""

    infos: tuple[QuestionInfo, ...] = ()
    submit = SubmitField("Save answers")

    def questions(self) -> list[tuple[QuestionInfo, QuestionForm]]:
        return [(info, self[info.id].form) for info in self.infos]

    def inputs(self, only_touched: bool = True) -> list[AnswerInput]:
        return [
            AnswerInput(info.id, sub.answer_value(), sub.base_version())
            for info, sub in self.questions()
            if sub.touched() or not only_touched
        ]


def make_section_form(infos: Iterable[QuestionInfo]) -> type[SectionForm]:
    """A form class for these questions (a questionnaire section, a workflow, or one question)."""
    infos = tuple(infos)
    fields: dict[str, Any] = {
        info.id: FormField(_question_form_class(info), label=info.question.text) for info in infos
    }
    return type("GeneratedSectionForm", (SectionForm,), {"infos": infos, **fields})


def initial_data(value: AnswerValue, version: int, multi: bool) -> dict[str, Any]:
    """The sub-form data that shows a stored answer."""
    choice: Any = list(value.choices) if multi else (value.choices[0] if value.choices else None)
    return {
        "choice": choice,
        "na": value.na_reason is not None,
        "na_reason": value.na_reason or "",
        "note": value.note,
        "version": str(version),
        "orig": value_digest(value),
    }


# --- assessment and workflow details ----------------------------------------------------------


class AssessmentForm(FlaskForm):
    name = StringField(
        "System name",
        validators=[InputRequired(), Length(max=200)],
        description="The system under review, as the team calls it.",
    )
    description = TextAreaField(
        "What it does",
        validators=[Optional(), Length(max=5000)],
        description="Optional. One or two sentences: who uses it and what it must never get wrong.",
    )
    team = SelectField("Team", coerce=int, validators=[InputRequired()])
    questionnaire = SelectField("Questionnaire", validators=[InputRequired()])
    submit_token = HiddenField()
    submit = SubmitField("Start the review")


class AssessmentDetailsForm(FlaskForm):
    name = AssessmentForm.name
    description = AssessmentForm.description
    submit = SubmitField("Save details")


class WorkflowForm(FlaskForm):
    name = StringField(
        "Workflow name",
        validators=[InputRequired(), Length(max=200)],
        description="For example “Nightly invoice run” or “Deploy to production”.",
    )
    description = TextAreaField(
        "What it does",
        validators=[Optional(), Length(max=5000)],
        description="Optional. What starts it and what it changes.",
    )
    source = StringField(
        "Where it is defined",
        validators=[Optional(), Length(max=500)],
        description="Optional. A file path or link, e.g. .github/workflows/deploy.yml.",
    )
    submit_token = HiddenField()
    submit = SubmitField("Add workflow")


class MoveForm(FlaskForm):
    offset = IntegerField(validators=[InputRequired(), NumberRange(min=-1, max=1)])
    #: Where the workflow was when the page was shown: a resent form finds it moved already.
    position = IntegerField(validators=[InputRequired(), NumberRange(min=0)])
