"""Forms of answers files (upload, preview, apply) and of the next review cycle."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional


class AnswersUploadForm(FlaskForm):
    """An answers file to upload, or its text pasted."""

    upload = FileField("Answers file (YAML)")
    text = TextAreaField("Or paste its text", validators=[Optional()])

    def file_text(self) -> str | None:
        """The uploaded or pasted text; None (with an error on the field) when unreadable."""
        if self.upload.data:
            try:
                return self.upload.data.read().decode("utf-8")
            except UnicodeDecodeError:
                self.upload.errors = ["The file is not UTF-8 text: save it as UTF-8 YAML."]
                return None
        if (self.text.data or "").strip():
            return self.text.data
        self.upload.errors = ["Choose an answers file to upload, or paste its text."]
        return None


class NewFromFileForm(AnswersUploadForm):
    team = SelectField("Team", coerce=int, validators=[InputRequired()])
    #: One-time token: a second send of the same form starts no second assessment.
    submit_token = HiddenField()


class ApplyImportForm(FlaskForm):
    """The previewed file and the answer versions the preview showed, sent back to apply."""

    content = HiddenField(validators=[InputRequired()])
    versions = HiddenField(validators=[InputRequired(), Length(max=200_000)])


class NextReviewForm(FlaskForm):
    name = StringField(
        "Name of the new review",
        validators=[InputRequired(), Length(max=200)],
        description="For example the system's name and the quarter of the review.",
    )
    submit_token = HiddenField()
