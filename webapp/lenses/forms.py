"""Forms of the lens pages: the administrators' upload, and one question of a lens.

A question's inputs are named `<question id>-choice` (checkboxes), `-na`, `-na_reason`,
`-note`, `-version` and `-orig`, as on Faultline's own question pages, so the same autosave
script drives both.
"""

from __future__ import annotations

import hashlib
import json

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, Form, HiddenField, SelectChoice, SelectField, TextAreaField
from wtforms.validators import Length

from webapp.assessments.forms import MultiCheckboxField
from webapp.domain.lens import Question
from webapp.domain.lens_result import NA_LABELS, LensAnswer, NaReason
from webapp.lenses.models import NOTE_MAX_CHARS


class LensUploadForm(FlaskForm):
    upload = FileField(
        "Lens file",
        validators=[FileRequired("Choose a lens file (.json) to upload.")],
        description="A custom lens in the AWS format (schemaVersion 2021-11-01), up to 500 KB.",
    )


def answer_digest(answer: LensAnswer) -> str:
    """A short fingerprint of an answer as shown, to tell touched questions from untouched."""
    reason = answer.na_reason.value if answer.na_reason else None
    raw = json.dumps([sorted(answer.choices), reason, answer.note], ensure_ascii=False)
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


class LensQuestionForm(Form):
    choice = MultiCheckboxField("Choices", choices=[], validate_choice=False)
    na = BooleanField("This question does not apply")
    na_reason = SelectField(
        "Reason",
        choices=[SelectChoice("", "Choose a reason")]
        + [SelectChoice(r.value, NA_LABELS[r]) for r in NaReason],
        validate_choice=False,
    )
    note = TextAreaField(
        "Notes",
        validators=[Length(max=NOTE_MAX_CHARS, message="Notes are limited to 20,000 characters.")],
    )
    version = HiddenField(default="0")
    orig = HiddenField(default="")

    def answer(self) -> LensAnswer:
        reason = NaReason(self.na_reason.data) if self.na_reason.data in set(NaReason) else None
        if self.na.data:
            return LensAnswer(frozenset(), reason, self.note.data or "")
        return LensAnswer(frozenset(self.choice.data or ()), None, self.note.data or "")

    def problem(self) -> str | None:
        """What stops this answer from being saved, in the person's words."""
        if self.na.data and self.na_reason.data not in set(NaReason):
            return "Choose why this question does not apply."
        if len(self.note.data or "") > NOTE_MAX_CHARS:
            return "Notes are limited to 20,000 characters."
        return None

    def base_version(self) -> int:
        value = self.version.data or "0"
        return int(value) if value.isdigit() else 0

    def touched(self) -> bool:
        return answer_digest(self.answer()) != (self.orig.data or "")


def question_form(question: Question, answer: LensAnswer, version: int, formdata=None):
    """The sub-form of one question, filled from `formdata` (a POST) or the stored answer."""
    form = LensQuestionForm(
        formdata=formdata,
        prefix=question.id + "-",
        data=None if formdata else _data(answer, version),
    )
    form.choice.choices = [SelectChoice(c.id, c.title) for c in question.choices]
    return form


def _data(answer: LensAnswer, version: int) -> dict:
    return {
        "choice": sorted(answer.choices),
        "na": answer.na_reason is not None,
        "na_reason": answer.na_reason.value if answer.na_reason else "",
        "note": answer.note,
        "version": str(version),
        "orig": answer_digest(answer),
    }
