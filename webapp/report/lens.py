"""The report of an assessment on a lens: plain data, HTML page and PDF.

Built from the domain's `LensResult`, never from ORM objects, so the CLI could render it too.
Links in the lens are links on the page and plain text (with the address) in the PDF; nothing
in the lens is ever fetched: the PDF renderer's fetcher serves only the app's static folder.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from webapp.domain.lens import Resource
from webapp.domain.lens_result import LensResult, QuestionResult, Risk
from webapp.report import dates
from webapp.report.html import environment, font_faces, stylesheet
from webapp.report.pdf import html_to_pdf
from webapp.report.pdf import warm_up as warm_up  # the render child runs it before it serves

TEMPLATE = "lens.html.j2"
_SCHEMES = ("https://", "http://")


def link(text: str, url: str | None) -> dict[str, str | None]:
    """A link as data: `url` only when it is a web address (anything else stays text)."""
    safe = url if url and url.strip().lower().startswith(_SCHEMES) else None
    return {"text": text, "url": safe.strip() if safe else None}


def _resource(resource: Resource | None) -> dict[str, str | None] | None:
    return link(resource.displayText, resource.url) if resource else None


def _question(q: QuestionResult) -> dict[str, Any]:
    # Titles are joined with "; ": a title's own full stop would read ".;".
    chosen = [c.title.rstrip(". ") for c in q.question.choices if c.id in q.answer.choices]
    return {
        "id": q.question.id,
        "title": q.question.title,
        "pillar": q.pillar.name,
        "pillar_id": q.pillar.id,
        "risk": q.risk.value,
        "risk_label": q.risk.label,
        "chosen": chosen,
        "na_reason": q.answer.na_reason.label if q.answer.na_reason else None,
        "note": q.answer.note,
        "improvements": [
            {
                **link(i.text, i.url),
                "choice": i.choice.title.rstrip(". "),  # followed by ":"
                "more": [link(r.displayText, r.url) for r in i.more],
            }
            for i in q.improvements
        ],
        "helpful": _resource(q.question.helpfulResource),
    }


def lens_report_data(
    result: LensResult,
    *,
    system_name: str,
    team: str,
    lens_version: int,
    description: str = "",
    generated_at: datetime | None = None,
    milestone: str | None = None,
    follow_up: dict[str, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """`follow_up`: the plan's tracking now, keyed "<question id>@" (tracking's
    `follow_up`); None for a milestone, which freezes answers, not tracking."""
    when = generated_at or datetime.now(UTC)
    pillars = [
        {
            "id": p.pillar.id,
            "name": p.pillar.name,
            "counts": {risk.value: p.count(risk) for risk in Risk},
            "questions": [_question(q) for q in p.questions],
        }
        for p in result.pillars
    ]
    return {
        "meta": {
            "system_name": system_name,
            "description": description,
            "team": team,
            "lens_name": result.lens.name,
            "lens_description": result.lens.description,
            "lens_version": lens_version,
            "date": when.date().isoformat(),
            "date_display": dates.day(when),
            "milestone": milestone,
        },
        "totals": {risk.value: result.count(risk) for risk in Risk},
        "answered": result.answered,
        "total": result.total,
        "pillars": pillars,
        "plan": [_question(q) | ({"follow_up": follow_up.get(f"{q.question.id}@")}
                                 if follow_up is not None else {})
                 for q in result.plan],
        "tracked": follow_up is not None,
        "risk_labels": {risk.value: risk.label for risk in Risk},
    }


def render_lens_html(
    data: dict[str, Any], *, font_base: str = "/static/fonts/", for_pdf: bool = False
) -> str:
    return (
        environment()
        .get_template(TEMPLATE)
        .render(
            r=data,
            for_pdf=for_pdf,
            css="" if for_pdf else stylesheet(),
            font_faces=font_faces(font_base),
        )
    )


def render_lens_pdf(data: dict[str, Any]) -> bytes:
    """PDF bytes of built lens report data (the target the PDF queue's render child runs)."""
    return html_to_pdf(render_lens_html(data, for_pdf=True))


COMPARISON_TEMPLATE = "lens_compare.html.j2"


def lens_comparison_data(diff: dict[str, Any], *, system_name: str, team: str, lens_name: str,
                         before: str, after: str, generated_at: datetime) -> dict[str, Any]:
    """Plain data of a comparison (`webapp.domain.lens_compare.compare`) for the PDF."""
    moved = [m | {"before": m["before"].value, "before_label": m["before"].label,
                  "after": m["after"].value, "after_label": m["after"].label}
             for m in diff["moved"]]
    return {"meta": {"system_name": system_name, "team": team, "lens_name": lens_name,
                     "before": before, "after": after,
                     "date_display": dates.day(generated_at)},
            "pillars": diff["pillars"], "moved": moved}


def render_lens_comparison_pdf(data: dict[str, Any]) -> bytes:
    """PDF bytes of a lens comparison (a target the PDF queue's render child runs)."""
    html = environment().get_template(COMPARISON_TEMPLATE).render(r=data)
    return html_to_pdf(html)
