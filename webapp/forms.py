"""WTForms for the web pages. Every form carries a CSRF token (Flask-WTF)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    EmailField,
    HiddenField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import Email, EqualTo, InputRequired, Length

from webapp.models import Role

# WTForms 3.3 deprecates (value, label) tuples: choices are SelectChoice objects.
ROLE_CHOICES = [
    SelectChoice(Role.VIEWER.value, "Viewer: reads the team's assessments"),
    SelectChoice(Role.EDITOR.value, "Editor: also answers and edits"),
    SelectChoice(Role.OWNER.value, "Owner: also manages members"),
]
SHORT_ROLE_CHOICES = [SelectChoice(role.value, role.value.capitalize()) for role in Role]


class EmptyForm(FlaskForm):
    """Carries only the CSRF token, for POST-only buttons (sign out, remove)."""


def email_field(label: str = "Email") -> EmailField:
    return EmailField(
        label,
        validators=[InputRequired(), Length(max=320), Email(check_deliverability=False)],
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
        render_kw={"autocomplete": "email"},
    )


class SignUpForm(FlaskForm):
    name = StringField(
        "Your name",
        validators=[InputRequired(), Length(max=120)],
        render_kw={"autocomplete": "name"},
    )
    email = email_field()
    password = PasswordField(
        "Password",
        validators=[InputRequired(), Length(max=256)],
        description="At least 12 characters, not built from your name or email. "
        "A passphrase of a few unrelated words works well.",
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        "Repeat password",
        validators=[InputRequired(), EqualTo("password", message="The passwords differ.")],
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField("Create account")


class SignInForm(FlaskForm):
    email = email_field()
    password = PasswordField(
        "Password",
        validators=[InputRequired(), Length(max=256)],
        render_kw={"autocomplete": "current-password"},
    )
    submit = SubmitField("Sign in")


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
