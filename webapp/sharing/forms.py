"""The form that creates a share link."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectChoice, SelectField, StringField, SubmitField
from wtforms.validators import InputRequired, Length, NumberRange

from webapp.sharing.models import LABEL_MAX
from webapp.sharing.services import DEFAULT_DAYS, MAX_DAYS

#: The milestone choice that means "the review as it is when the link is opened".
LIVE = ""


class ShareForm(FlaskForm):
    label = StringField(
        "Label",
        validators=[InputRequired(message="Give the link a label."), Length(max=LABEL_MAX)],
        description="Who it is for, e.g. “Q3 audit, Dana Smith”. Only your team sees it.",
    )
    days = IntegerField(
        "Expires after (days)",
        default=DEFAULT_DAYS,
        validators=[
            InputRequired(message="Say how many days the link should work."),
            NumberRange(min=1, max=MAX_DAYS, message=f"From 1 to {MAX_DAYS} days."),
        ],
        description=f"From 1 to {MAX_DAYS} days. You can revoke it sooner at any time.",
        render_kw={"min": 1, "max": MAX_DAYS, "inputmode": "numeric"},
    )
    milestone = SelectField(
        "Shows",
        default=LIVE,
        description="A live link follows every change; a milestone link stays as it was frozen.",
    )
    edition = SelectField(
        "PDF edition",
        default="full",
        choices=[SelectChoice("full", "Full review"),
                 SelectChoice("executive", "Executive edition (about ten pages)")],
        description="What the link's “Download PDF” gives the reader.",
    )
    submit_token = HiddenField()
    submit = SubmitField("Create link")

    def set_milestones(self, milestones: list[tuple[int, str]]) -> None:
        self.milestone.choices = [(LIVE, "Live: follows every change")] + [
            (str(mid), f"Milestone: {name}") for mid, name in milestones
        ]

    def milestone_id(self) -> int | None:
        value = self.milestone.data or LIVE
        return None if value == LIVE else int(value)
