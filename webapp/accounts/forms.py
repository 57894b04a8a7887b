"""Forms of signing up and signing in."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    EmailField,
    PasswordField,
    StringField,
    SubmitField,
)
from wtforms.validators import Email, EqualTo, InputRequired, Length


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


