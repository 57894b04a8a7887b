"""Forms of a workflow's automation file: upload or paste, and accept a suggested answer."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional


class AutomationFileForm(FlaskForm):
    """A file to upload, or its text pasted; the name decides how it is shown and recognised."""

    upload = FileField("Upload the file")
    name = StringField(
        "File name or repository path",
        validators=[Optional(), Length(max=200)],
        description="For pasted text, e.g. .github/workflows/release.yml. An upload keeps its "
        "own name unless you give one.",
    )
    text = TextAreaField("Or paste its text", validators=[Optional()])

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        if not self.upload.data and not (self.text.data or "").strip():
            self.upload.errors = ["Choose a file to upload, or paste its text."]
            return False
        return True


class AcceptSuggestionForm(FlaskForm):
    """The Accept buttons of a workflow page share this form (outside the questions form, which
    they name with the `form` attribute); the pressed button sends `<question> <choice>
    <answer version seen>` as `suggestion`."""

    suggestion = HiddenField(validators=[InputRequired(), Length(max=420)])

    def parsed(self) -> tuple[str, str, int] | None:
        parts = (self.suggestion.data or "").split()
        if len(parts) != 3 or not parts[2].isdigit():
            return None
        return parts[0], parts[1], int(parts[2])
