"""Forms of milestones and remediation tracking. The services check every value again."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from webapp.tracking.milestones import NAME_MAX
from webapp.tracking.models import COMMENT_MAX, MILESTONE_NOTE_MAX, FindingStatus

STATUS_CHOICES = [SelectChoice(s.value, s.label) for s in FindingStatus]
NO_OWNER = ""


class MilestoneForm(FlaskForm):
    name = StringField(
        "Name",
        validators=[InputRequired(message="Give the milestone a name."), Length(max=NAME_MAX)],
        description="For example “Q3 review meeting” or “Before the payments launch”.",
    )
    note = TextAreaField(
        "Note",
        validators=[Optional(), Length(max=MILESTONE_NOTE_MAX)],
        description="Optional. Markdown. What this moment stands for.",
        render_kw={"rows": 3},
    )
    submit_token = HiddenField()


class TrackingForm(FlaskForm):
    status = SelectField("Status", choices=STATUS_CHOICES)
    owner = SelectField("Owner", choices=[], default=NO_OWNER,
                        description="The team member who drives the fix.")
    due_date = DateField("Due", validators=[Optional()])
    justification = TextAreaField(
        "Why the risk is accepted",
        validators=[Optional(), Length(max=COMMENT_MAX)],
        description="Required to accept a risk: who decided, and what limits the damage "
                    "meanwhile. Markdown.",
        render_kw={"rows": 3},
    )
    review_date = DateField(
        "Review the accepted risk on", validators=[Optional()],
        description="Required to accept a risk.",
    )

    def set_members(self, members: list[tuple[int, str]]) -> None:
        self.owner.choices = [SelectChoice(NO_OWNER, "Nobody yet")] + [
            SelectChoice(str(uid), name) for uid, name in members]

    @property
    def owner_id(self) -> int | None:
        return int(self.owner.data) if self.owner.data and self.owner.data.isdigit() else None


class CommentForm(FlaskForm):
    body = TextAreaField(
        "Add a comment",
        validators=[InputRequired(message="Write a comment first."), Length(max=COMMENT_MAX)],
        description="Markdown: **bold**, lists, links.",
        render_kw={"rows": 3},
    )
    submit_token = HiddenField()


KEEP_VALUE = ""


class BulkTrackingForm(FlaskForm):
    """Several findings of the plan (checkboxes "rule:workflow_id") and their new status/owner."""

    status = SelectField("Set status to", choices=[SelectChoice(KEEP_VALUE, "Keep as is"),
                                                   *STATUS_CHOICES])
    owner = SelectField("Set owner to", choices=[], default=KEEP_VALUE)

    def set_members(self, members: list[tuple[int, str]]) -> None:
        self.owner.choices = [SelectChoice(KEEP_VALUE, "Keep as is"),
                              SelectChoice("none", "Nobody")] + [
            SelectChoice(str(uid), name) for uid, name in members]
