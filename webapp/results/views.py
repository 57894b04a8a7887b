"""Results: the review's outcome as a web page, as the HTML report and as a PDF download.

Every route reads only; viewers may see everything here, non-members get 404.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import logging
import re
import secrets
import threading
from collections import OrderedDict
from datetime import UTC, date, datetime
from pathlib import Path

from flask import (
    Response,
    abort,
    current_app,
    g,
    get_template_attribute,
    redirect,
    render_template,
    request,
    url_for,
)
from flask import session as browser_session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from webapp import report
from webapp.assessments.access import member_assessment
from webapp.assessments.evaluation import (
    QuestionnaireMissing,
    evaluate_assessment,
    revision_key,
)
from webapp.core.cache import Shared
from webapp.core.db import get_session
from webapp.core.errors import NotFoundError
from webapp.core.security import CONTENT_SECURITY_POLICY
from webapp.core.startup import get_content
from webapp.core.views import members_blueprint, result_cache
from webapp.lenses.models import LENS_PREFIX
from webapp.pdfs import specs as pdfs
from webapp.pdfs.views import Pages, pdf_download
from webapp.results.page import QuestionLinks, layer_chart_svg, results_page
from webapp.tasks import pdf_ready as pdf_ready_now
from webapp.tracking import services as tracking_service

logger = logging.getLogger(__name__)
bp = members_blueprint("results", __name__, "/assessments/<int:assessment_id>")

#: Seconds a client is asked to wait before retrying a PDF that timed out.
RETRY_AFTER = 30
STYLE_BLOCK = re.compile(r"<style>(.*?)</style>", re.DOTALL)
BODY_OPEN = re.compile(r"<body[^>]*>")
INDENT = re.compile(r"\n\s+")
#: The places a finding card leaves for its tracking (results/_finding_card.html).
FOLLOW_UP = re.compile(r"<!--follow-up:(status|link):([^>]*?)-->")
#: The web app's package: its modules and templates make `code_version`.
PACKAGE = Path(__file__).resolve().parents[1]
#: Where the cached content goes into the frame; no text of a user can write it (escaped).
BODY_MARK = f"<!--results-body-{secrets.token_hex(8)}-->"
#: Where the session's CSRF token goes into a cached frame.
CSRF_MARK = f"csrf-{secrets.token_hex(8)}"


@bp.get("/results")
def show(assessment_id: int):
    """The page's content is rendered once per state (see `_body_state`) and kept like the
    result, in this process and in the file cache the app's processes share; each request
    reads that state (one query for the plan tracking and the milestone count, a file check
    for the PDF) and renders only the site's frame around it: header, account menu, flashes
    and the sign-out form's CSRF token."""
    assessment, result = _evaluated(assessment_id)
    session = get_session()
    rows, milestones = tracking_service.tracking_state(session, assessment)
    follow_up = tracking_service.follow_up(session, assessment, result_cache(), rows)
    pdf_ready = result.has_answers and pdf_ready_now(session, assessment,
                                                     pdfs.review(assessment), follow_up=follow_up)
    upgrade = _upgrade_panel(assessment, result)
    state = _body_state(assessment, follow_up=follow_up, pdf_ready=pdf_ready,
                        upgrade=_upgrade_identity(upgrade),
                        milestones=milestones)
    body = result_cache().computed(
        body_key(state), "results-body",
        lambda: _body(assessment, result, rows, pdf_ready, upgrade, state["today"]),
        Shared(f"assessment-{assessment.id}", bytes.decode, str.encode))
    return framed(_frame(assessment), body)


def _frame(assessment) -> str:
    """The site's frame of the page (results/show.html: title, header, account menu, flashes)
    with BODY_MARK where the content goes and this session's CSRF token in the sign-out form.

    Without flashed messages it depends only on who reads which assessment of which team:
    rendered once for them (CSRF_MARK in place of the token, which is signed anew each time)."""
    if "_flashes" in browser_session:  # shown once: rendered for this request alone
        return render_template("results/show.html", assessment=assessment,
                               body=Markup(BODY_MARK))
    user, team = current_user, g.team
    reader = {"user": [user.id, user.name, user.email, user.is_admin],
              "team": [team.id, team.name], "assessment": [assessment.id, assessment.name],
              "root": request.script_root, "code": code_version()}
    frame = _FRAMES.html(reader, lambda _reader: render_template(
        "results/show.html", assessment=assessment, body=Markup(BODY_MARK),
        csrf_token=lambda: CSRF_MARK))
    return str(frame).replace(CSRF_MARK, generate_csrf())


def framed(frame: str, body: bytes) -> Response:
    """The page: the site's frame rendered for this request with the cached content (UTF-8,
    encoded once) in place of BODY_MARK; the content is neither copied nor encoded again."""
    head, tail = frame.split(BODY_MARK)
    return Response([head.encode(), body, tail.encode()], mimetype="text/html")


def _body_state(assessment, **state) -> dict:
    """Everything the page's content shows besides the result: the key of its cached HTML.

    The revision key stands for the answers, workflows, evidence, name and questionnaire; the
    plan tracking as the report shows it (`follow_up`: status, owner's name, due date, an
    accepted risk's reason and review date), the milestone count, whether the PDF is ready
    and the upgrade panel are read on each request; the role decides the tracking links and
    the audit tab, the day which due dates are overdue."""
    return {**state, "revision": revision_key(assessment, content=get_content()),
            "team": assessment.team.name,
            "can_edit": bool(g.can_edit), "today": datetime.now(UTC).date(),
            "root": request.script_root}


def body_key(state: dict) -> str:
    """The cache key of the page's content in `state`, for this code and these templates."""
    payload = json.dumps(state, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{code_version()}\0{payload}".encode()).hexdigest()


@functools.lru_cache(maxsize=1)
def code_version() -> str:
    """A digest of the app's modules and templates, read once per process: HTML cached in
    files by a process of another version (before a deploy) is never served."""
    digest = hashlib.sha256()
    for path in sorted(PACKAGE.rglob("*")):
        if path.suffix in {".py", ".html", ".j2"} and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(PACKAGE)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def _upgrade_identity(panel: dict | None) -> dict | None:
    """What the upgrade panel shows besides the result: its audit event and milestone (both
    never change once written)."""
    if panel is None:
        return None
    milestone = panel["milestone"]
    return {"when": panel["when"], "carried": panel["carried"], "renamed": panel["renamed"],
            "milestone": milestone.id if milestone is not None else None}


def _body(assessment, result, rows, pdf_ready: bool, upgrade: dict | None,
          today: date) -> bytes:
    """The page's content (results/_content.html) for one state, as UTF-8."""
    page, parts = _page_parts(assessment, result)
    if page["has_answers"]:
        parts = {**parts, "details": with_follow_up(parts["details"], assessment, today)}
    return render_template("results/_content.html", assessment=assessment, page=page,
                           parts=parts, pdf_ready=pdf_ready, tracking_rows=rows, upgrade=upgrade,
                           **_editing_urls(assessment, page["first_section"])).encode()


def with_follow_up(html: Markup, assessment, today: date) -> Markup:
    """The finding cards (rendered once per revision) with today's tracking of each finding in
    place of their follow-up comments: status, owner, due date or accepted risk, and the way
    to the finding's tracking page (`today` decides what is overdue)."""
    try:
        plan = tracking_service.tracked_plan(get_session(), assessment, result_cache())
    except QuestionnaireMissing:
        return html
    entries = {tracking_service.follow_up_key(e.ref.rule_id, e.position): e
               for e in plan.entries}
    macros = {"status": get_template_attribute("results/_follow_up.html", "status"),
              "link": get_template_attribute("results/_follow_up.html", "link")}

    def fill(match: re.Match) -> str:
        entry = entries.get(match.group(2))
        if entry is None:
            return ""
        if match.group(1) == "status":
            return str(macros["status"](entry, today))
        return str(macros["link"](entry, assessment))

    return Markup(FOLLOW_UP.sub(fill, str(html)))  # noqa: S704 - our templates' output


def _upgrade_panel(assessment, result) -> dict | None:
    """What changed because of the upgrade: counts from its audit event, findings against
    the milestone frozen before it, and links to that milestone and the full comparison."""
    if result.upgrade is None:
        return None
    from webapp.tracking.milestones import get_milestone, snapshot_result
    from webapp.tracking.upgrade import upgrade_event

    session = get_session()
    event = upgrade_event(session, assessment)
    detail = event.detail if event else {}
    panel = {"from": result.upgrade.from_version, "to": result.questionnaire.version,
             "when": event.created_at if event else None,
             "carried": detail.get("carried"), "renamed": detail.get("renamed", 0),
             "retired": result.upgrade.retired,
             "new": len(result.upgrade.new_questions), "milestone": None}
    new_ids = {q.id for q in result.upgrade.new_questions}
    panel["new_answered"] = sum(
        1 for rows in [result.answers.sections,
                       *[w.sections for w in result.answers.workflows]]
        for s in rows for r in s.questions
        if r.id in new_ids and r.asked and r.answer.status != "unanswered")
    try:
        milestone = get_milestone(session, assessment, int(detail.get("milestone")))
    except (TypeError, ValueError, NotFoundError):
        return panel
    before = {f.key: f for f in snapshot_result(milestone, result_cache()).findings}
    now = {f.key: f for f in result.findings}
    panel.update(milestone=milestone,
                 added=[now[k] for k in now if k not in before],
                 removed=[before[k] for k in before if k not in now])
    return panel


def _page_parts(assessment, result) -> tuple[dict, dict[str, Markup]]:
    """The page data and its result-only HTML (`_rendered_parts`), kept per revision."""
    cache = result_cache()
    return cache.computed(revision_key(assessment, content=cache.content),
                          f"results-page:{assessment.team.name}",
                          lambda: _rendered_parts(assessment, result))


def _rendered_parts(assessment, result) -> tuple[dict, dict[str, Markup]]:
    """The page data and the HTML of everything on the page that only the result decides,
    rendered once per revision; the request renders the rest around it (who is signed in,
    plan tracking, whether the PDF is ready)."""
    page = results_page(result, _links(assessment), team=assessment.team.name)
    context = {"assessment": assessment, "page": page,
               "chart_svg": layer_chart_svg(page["layer_chart"]),
               "cards": _finding_cards(page["findings"]),
               **_editing_urls(assessment, page["first_section"])}
    parts = {name: Markup(INDENT.sub("\n", render_template(f"results/_{name}.html", **context)))
             for name in ("top", "plan", "details")}  # no <pre>: indentation never shows
    return page, parts


class _HtmlCache:
    """HTML by a digest of the data it shows (a small LRU shared by threads): finding cards,
    and the results page's frame for each reader.

    A change to one answer re-renders the page of the new revision, yet nearly every finding
    card on it is the same as before: its HTML is reused instead of rendered again (the cards
    were a quarter of a new revision's results page)."""

    def __init__(self, size: int) -> None:
        self.size, self.items, self.lock = size, OrderedDict[bytes, Markup](), threading.Lock()

    def html(self, data: dict, render) -> Markup:
        key = hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).digest()
        with self.lock:
            html = self.items.get(key)
            if html is not None:
                self.items.move_to_end(key)
                return html
        html = Markup(render(data))
        with self.lock:
            self.items[key] = html
            while len(self.items) > self.size:
                self.items.popitem(last=False)
        return html


_CARDS = _HtmlCache(2048)
_FRAMES = _HtmlCache(512)


def _finding_cards(findings: list[dict]) -> dict[str, Markup]:
    """anchor -> HTML of each finding's card (results/_finding_card.html)."""
    render = current_app.jinja_env.get_template("results/_finding_card.html").module.finding_card
    return {finding["anchor"]: _CARDS.html(finding, render) for finding in findings}


@bp.get("/results/findings/<anchor>")
def finding_body(assessment_id: int, anchor: str):
    """The body of one finding's card as an HTML fragment (the answers that caused it, why it
    matters, how to fix it and verify the fix, further reading), which static/js/results.js
    puts into the card when it opens: the page carries the cards' summaries only. From the
    page data kept per revision; 404 when no finding of this review has the anchor."""
    assessment, result = _evaluated(assessment_id)
    page, _parts = _page_parts(assessment, result)
    finding = next((f for f in page["findings"] if f["anchor"] == anchor), None)
    if finding is None:
        raise NotFoundError()
    body = get_template_attribute("results/_finding_card.html", "finding_body")
    response = Response(INDENT.sub("\n", str(body(finding, fetched=True))), mimetype="text/html")
    response.headers["Cache-Control"] = "private, no-cache"  # the answers may change it
    return response


@bp.get("/report")
def report_html(assessment_id: int):
    assessment, result = _evaluated(assessment_id)
    html = report.render_html(result, **_pdf_options(assessment),
                              follow_up=tracking_service.follow_up(get_session(), assessment,
                                                                   result_cache()),
                              static_url=url_for("static", filename=""))
    bar = render_template("results/_report_bar.html", assessment=assessment)
    return report_page(html, bar, render_template("results/_report_head.html"))


@bp.get("/report.pdf")
def report_pdf(assessment_id: int):
    assessment = member_assessment(assessment_id)
    if assessment.questionnaire_id.startswith(LENS_PREFIX):  # its own pages: lens_pages
        return redirect(url_for("lens_pages.report_pdf", assessment_id=assessment.id))
    edition = request.args.get("edition", "full")
    return pdf_download(assessment, pdfs.review(assessment, edition), member_pages(
        assessment, url_for("results.show", assessment_id=assessment.id), "Back to the results",
        html_url=url_for("results.report_html", assessment_id=assessment.id)),
        {"assessment_id": assessment.id, **edition_args(edition)})


def edition_args(edition: str) -> dict:
    """The URL arguments that keep a non-default edition through the progress pages."""
    return {"edition": edition} if edition != "full" else {}


def member_pages(assessment, back_url: str, back_label: str, html_url: str | None = None):
    """Progress and failure pages of a PDF on members' pages."""
    return Pages("pdf/progress.html", "results/pdf_failed.html",
                 {"assessment": assessment, "back_url": back_url, "back_label": back_label,
                  "html_url": html_url})


pdf_filename = pdfs.filename


def _evaluated(assessment_id: int):
    """(assessment, typed result) after the role check: non-members get 404."""
    from webapp.assessments.views import load_assessment  # its package imports its pages

    assessment = load_assessment(assessment_id)
    if assessment.questionnaire_id.startswith(LENS_PREFIX):  # its own pages: lens_pages
        abort(redirect(url_for("lens_pages.results", assessment_id=assessment.id)))
    return assessment, evaluate_assessment(get_session(), assessment, result_cache())


def _pdf_options(assessment) -> dict:
    return {"team": assessment.team.name, "page_size": current_app.config["PDF_PAGE_SIZE"]}


def _links(assessment) -> QuestionLinks:
    workflow_ids = {w.position: w.id for w in assessment.workflows}
    return QuestionLinks(
        section_url=lambda section: url_for("assessments.step", assessment_id=assessment.id,
                                            step=section),
        workflow_url=lambda position: url_for("assessments.workflow",
                                              assessment_id=assessment.id,
                                              workflow_id=workflow_ids[position]),
        details_url=lambda anchor: url_for("results.report_html",
                                           assessment_id=assessment.id, _anchor=anchor),
    )


def _editing_urls(assessment, first_section: str | None) -> dict[str, str | None]:
    """Where to continue: the review's resume page, its first step and its workflow list."""
    first = first_section and url_for("assessments.step", assessment_id=assessment.id,
                                      step=first_section)
    return {
        "edit_url": url_for("assessments.resume", assessment_id=assessment.id),
        "start_url": first,
        "workflows_url": url_for("assessments.workflows", assessment_id=assessment.id),
    }


def report_page(html: str, bar: str, head: str) -> Response:
    """A standalone report page (render_html) with `head` added to its <head> and `bar` at the
    top of its body, served under the site's policy plus the hash of its own <style>."""
    html = html.replace("</head>", f"{head}</head>", 1)
    html = BODY_OPEN.sub(lambda match: match.group(0) + bar, html, count=1)
    response = Response(html, mimetype="text/html")
    response.headers["Content-Security-Policy"] = _policy_allowing_styles(html)
    return response


def _policy_allowing_styles(html: str) -> str:
    """The site's policy plus the hash of the report's own <style> block (no 'unsafe-inline')."""
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(m.encode()).digest()).decode() + "'"
        for m in STYLE_BLOCK.findall(html))
    return CONTENT_SECURITY_POLICY.replace("style-src 'self'", f"style-src 'self' {hashes}")


