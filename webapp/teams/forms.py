"""Forms of teams and their members."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    HiddenField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import InputRequired, Length

from webapp.accounts.forms import email_field
from webapp.teams.models import Role

# WTForms 3.3 deprecates (value, label) tuples: choices are SelectChoice objects.
ROLE_CHOICES = [
    SelectChoice(Role.VIEWER.value, "Viewer: reads the team's assessments"),
    SelectChoice(Role.EDITOR.value, "Editor: also answers and edits"),
    SelectChoice(Role.OWNER.value, "Owner: also manages members"),
]
SHORT_ROLE_CHOICES = [SelectChoice(role.value, role.value.capitalize()) for role in Role]


class TeamForm(FlaskForm):
    name = StringField(
        "Team name",
        validators=[InputRequired(), Length(max=120)],
        description="Usually the team that owns the system under review.",
    )
    submit_token = HiddenField()
    submit = SubmitField("Create team")


class InviteForm(FlaskForm):
    email = email_field("Their email")
    role = SelectField("Role", choices=ROLE_CHOICES, default=Role.EDITOR.value)
    submit = SubmitField("Invite")


class RoleForm(FlaskForm):
    role = SelectField("Role", choices=SHORT_ROLE_CHOICES)
    submit = SubmitField("Change")
