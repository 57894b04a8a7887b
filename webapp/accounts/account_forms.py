"""Forms of the account page, password reset and the admin page."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectChoice, SelectField, StringField, SubmitField
from wtforms.validators import EqualTo, InputRequired, Length

from webapp.accounts.forms import email_field

NEW_PASSWORD_HELP = ("At least 12 characters, not built from your name or email. "
                     "A passphrase of a few unrelated words works well.")
SIGNUP_CHOICES = [
    SelectChoice("open", "Open to anyone"),
    SelectChoice("invite", "Invitation only"),
    SelectChoice("closed", "Closed"),
]
SIGNUP_HELP = ("Open: anyone who can reach Faultline can create an account. Invitation only: "
               "an invitation link is needed. Closed: nobody can. Invitations work in every "
               "mode for people who already have an account.")


def _new_password(label: str = "New password") -> PasswordField:
    return PasswordField(label, validators=[InputRequired(), Length(max=256)],
                         description=NEW_PASSWORD_HELP,
                         render_kw={"autocomplete": "new-password"})


def _repeat() -> PasswordField:
    return PasswordField(
        "Repeat new password",
        validators=[InputRequired(), EqualTo("password", message="The passwords differ.")],
        render_kw={"autocomplete": "new-password"},
    )


class PasswordChangeForm(FlaskForm):
    current = PasswordField("Current password", validators=[InputRequired(), Length(max=256)],
                            render_kw={"autocomplete": "current-password"})
    password = _new_password()
    confirm = _repeat()
    submit = SubmitField("Change password")


class NameForm(FlaskForm):
    name = StringField("Your name", validators=[InputRequired(), Length(max=120)],
                       render_kw={"autocomplete": "name"})
    submit = SubmitField("Save name")


class EmailChangeForm(FlaskForm):
    email = email_field("New email")
    submit = SubmitField("Change email")


class ResetRequestForm(FlaskForm):
    email = email_field()
    submit = SubmitField("Send reset link")


class ResetForm(FlaskForm):
    password = _new_password()
    confirm = _repeat()
    submit = SubmitField("Set password")


class SignupModeForm(FlaskForm):
    mode = SelectField("Who can create an account", choices=SIGNUP_CHOICES,
                       description=SIGNUP_HELP)
    submit = SubmitField("Save")
