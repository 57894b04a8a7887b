"""Administrators import AWS custom lenses; each becomes a questionnaire to start reviews on.

Until real administrator roles land, the page is gated on the account's `is_admin` flag.
"""

from __future__ import annotations

import logging

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from webapp.core.db import get_session
from webapp.core.forms import EmptyForm
from webapp.core.services import ServiceError
from webapp.core.views import members_blueprint
from webapp.domain.lens import LensInvalid
from webapp.lenses import services as service
from webapp.lenses.forms import LensUploadForm

logger = logging.getLogger(__name__)
bp = members_blueprint("lens_admin", __name__, "/admin/lenses")
#: Bytes read from an upload: one more than the largest file accepted, so size is told apart.
READ_LIMIT = 500 * 1024 + 1


@bp.before_request
def _administrators_only() -> None:
    if not current_user.is_admin:
        logger.info(
            "refused lens administration for user %s: not an administrator", current_user.id
        )
        abort(403)


def _page(form: LensUploadForm, problems=None, status: int = 200):
    return render_template(
        "lenses/admin.html", form=form, lenses=service.lens_summaries(get_session()),
        action_form=EmptyForm(formdata=None), problems=problems or [],
    ), status


@bp.get("/")
def index():
    return _page(LensUploadForm())


@bp.post("/")
def upload():
    form = LensUploadForm()
    if not form.validate_on_submit():
        return _page(form, status=400)
    try:
        raw = form.upload.data.read(READ_LIMIT)
    finally:  # a large upload is a temporary file: close it now, not at garbage collection
        form.upload.data.close()
    try:
        imported = service.import_lens(get_session(), raw, current_user)
    except LensInvalid as error:
        return _page(form, error.problems, 400)
    row = imported.row
    if imported.created:
        flash(
            f"“{row.name}” imported as version {row.version}. Teams can start reviews on it.",
            "success",
        )
        for warning in imported.warnings:
            flash(f"Imported with a warning: {warning}", "warning")
    else:
        flash(f"“{row.name}” is unchanged: version {row.version} already holds this file.", "info")
    return redirect(url_for("lens_admin.index"))


# --- retiring, bringing back and deleting a lens ----------------------------------------------


def _checked_form() -> None:
    if not EmptyForm().validate_on_submit():
        abort(400)


@bp.post("/<key>/retire")
def retire(key: str):
    _checked_form()
    row = service.retire_lens(get_session(), key, current_user)
    flash(f"“{row.name}” is retired: teams can no longer start reviews on it; the reviews on "
          "it go on.", "success")
    return redirect(url_for("lens_admin.index"))


@bp.post("/<key>/restore")
def restore(key: str):
    _checked_form()
    row = service.retire_lens(get_session(), key, current_user, retired=False)
    flash(f"“{row.name}” is offered again when a review starts.", "success")
    return redirect(url_for("lens_admin.index"))


@bp.post("/<key>/delete")
def delete(key: str):
    _checked_form()
    try:
        row = service.delete_lens(get_session(), key, current_user)
    except ServiceError as error:
        flash(error.message, "error")
        return redirect(url_for("lens_admin.index"))
    flash(f"“{row.name}” deleted, with every version of it.", "success")
    return redirect(url_for("lens_admin.index"))
