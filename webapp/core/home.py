"""The landing page."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user

bp = Blueprint("main", __name__)


@bp.get("/")
def index():
    if current_user.is_authenticated:
        return redirect(url_for("teams.index"))
    return render_template("main/index.html")


@bp.get("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico on their own (e.g. for a PDF tab): the same icon."""
    return redirect(url_for("static", filename="img/favicon.svg"), code=301)
