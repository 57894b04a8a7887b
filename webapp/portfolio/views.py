"""The portfolio page, its CSV / JSON exports and its consolidated PDF."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from pathlib import Path

from cachetools import LRUCache
from flask import Response, current_app, jsonify, render_template, request
from flask_login import current_user
from markupsafe import Markup

from webapp import report
from webapp.assessments.models import STATUS_VALUES
from webapp.core.db import get_session
from webapp.core.startup import get_content
from webapp.core.views import members_blueprint
from webapp.portfolio import exports, jobs, service
from webapp.portfolio.pdf import portfolio_pdf

logger = logging.getLogger(__name__)
BODY_KEY = "faultline.portfolio_bodies"
TABLES_KEY = "faultline.portfolio_tables"
_lock = threading.Lock()
bp = members_blueprint("portfolio", __name__, "/portfolio")


def _filters() -> service.Filters:
    status = request.args.get("status") or None
    return service.Filters(
        team_id=request.args.get("team", type=int),
        status=status if status in STATUS_VALUES else None,
        sort=request.args.get("sort", "name"),
        descending=request.args.get("dir") == "desc",
    )


def _tables() -> service.Tables:
    """The app's one cache of built tables."""
    tables = current_app.extensions.get(TABLES_KEY)
    if tables is None:
        tables = current_app.extensions.setdefault(TABLES_KEY, service.Tables())
    return tables


def _table(filters: service.Filters) -> service.Table:
    return service.table(get_session(), current_user, filters, dt.date.today(), _tables(),
                         jobs.asker(), content=get_content())


def _rows(filters: service.Filters):
    table = _table(filters)
    return table.rows, table.layers


def _body(table: service.Table) -> Markup:
    """The table's rows as HTML, rendered once per table in this process."""
    cache = current_app.extensions.setdefault(BODY_KEY, LRUCache(maxsize=service.CACHE_SIZE))
    with _lock:
        body = cache.get(table.fingerprint)
    if body is None:
        body = Markup(render_template("portfolio/_rows.html",
                                      rows=exports.page_rows(table.rows, table.layers),
                                      layers=table.layers))
        with _lock:
            cache[table.fingerprint] = body
    return body


@bp.get("/")
def index():
    filters = _filters()
    table = _table(filters)
    return render_template(
        "portfolio/index.html", body=_body(table), count=len(table.rows), layers=table.layers,
        filters=filters, teams=service.visible_teams(get_session(), current_user),
        statuses=STATUS_VALUES, args=request.args.to_dict())


@bp.get("/portfolio.json")
def as_json():
    rows, layers = _rows(_filters())
    return jsonify(exports.as_json(rows, layers))


@bp.get("/portfolio.csv")
def as_csv():
    rows, layers = _rows(_filters())
    return Response(exports.as_csv(rows, layers), mimetype="text/csv", headers={
        "Content-Disposition": 'attachment; filename="faultline-portfolio.csv"'})


def _pdf_data(rows, layers, filters: service.Filters) -> dict:
    data = exports.as_json(rows, layers)
    for entry in data["assessments"]:
        entry["heat"] = {k: exports.heat(v) for k, v in entry["layers"].items()}
        entry.pop("updated_at")  # an unchanged portfolio prints (and caches) the same PDF
    team = next((t.name for t in service.visible_teams(get_session(), current_user)
                 if t.id == filters.team_id), None)
    parts = [f"team {team}" if team else "", filters.status.replace("_", " ")
             if filters.status else ""]
    return data | {"date": dt.date.today().isoformat(), "filter": ", ".join(p for p in parts if p)}


@bp.get("/portfolio.pdf")
def as_pdf():
    filters = _filters()
    rows, layers = _rows(filters)
    cache_dir = current_app.config.get("REPORT_CACHE_DIR") or (
        Path(current_app.instance_path) / "report-cache")
    try:
        pdf, cached = portfolio_pdf(_pdf_data(rows, layers, filters), cache_dir,
                                    timeout=current_app.config.get("PDF_TIMEOUT"))
    except report.ReportError as error:
        logger.warning("portfolio PDF failed: %s", error)
        return render_template("errors/error.html", code=503, title="The PDF failed",
                               message=str(error)), 503 if error.retryable else 500
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": 'attachment; filename="faultline-portfolio.pdf"',
        "Cache-Control": "private, no-cache", "X-Report-Cache": "hit" if cached else "miss"})
