"""Forms every feature uses."""

from __future__ import annotations

from flask_wtf import FlaskForm


class EmptyForm(FlaskForm):
    """Carries only the CSRF token, for POST-only buttons (sign out, remove)."""


