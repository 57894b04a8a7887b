"""Blueprints, one per module, each named `bp`. Views parse, call a service, render."""

from __future__ import annotations

from flask import render_template
from flask_wtf import FlaskForm

from webapp.services import ServiceError


def render_form_error(
    template: str, form: FlaskForm, error: ServiceError | None = None, **context: object
) -> tuple[str, int]:
    """Re-render a refused form with status 400; the fields keep what the user typed.

    A `ServiceError` naming a field is shown under that field, otherwise above the form.
    """
    form_error = None
    if error is not None:
        field = getattr(form, error.field, None) if error.field else None
        if field is not None:
            field.errors = [*field.errors, error.message]
        else:
            form_error = error.message
    return render_template(template, form=form, form_error=form_error, **context), 400
