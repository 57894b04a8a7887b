"""The comparison of two results as plain display data, an HTML page and a PDF.

The PDF uses the report's machinery: its Jinja environment, stylesheet and fonts, the
static-only URL fetcher, and the one PDF pipeline (`webapp.pdfs.specs`, `webapp.tasks`:
queue, render worker with a time limit, cache). The template is
`webapp/report/templates/comparison.html.j2`.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from typing import Any

from webapp.report import dates
from webapp.report.html import environment, font_faces, stylesheet
from webapp.report.pdf import html_to_pdf

logger = logging.getLogger(__name__)
TEMPLATE = "comparison.html.j2"
TARGET = "webapp.tracking.comparison:render_comparison_pdf"
SEVERITY_WORDS = {"critical": "Critical", "high": "High", "medium": "Medium", "low": "Low"}
#: direction → (arrow, word for screen readers and print); the number is added for up/down.
ARROWS = {
    "up": ("↑", "up"), "down": ("↓", "down"), "same": ("=", "no change"),
    "new": ("+", "scored for the first time"), "gone": ("−", "no longer scored"),
    "none": ("", "not scored"),
}
TEXTS = {"same": "0", "new": "new", "gone": "gone"}


def delta_view(d: Mapping[str, Any]) -> dict[str, Any]:
    """A delta with its words: arrow, signed change and a word, never colour alone."""
    direction, change = d["direction"], d["change"]
    text = {"up": f"+{_whole(change)}", "down": f"−{_whole(abs(change))}"} \
        if change is not None else {}
    arrow, word = ARROWS[direction]
    return {**d, "arrow": arrow, "text": text.get(direction) or TEXTS.get(direction, "–"),
            "word": word,
            "before_text": _score(d["before"]), "after_text": _score(d["after"])}


def _whole(change: float) -> str:
    """A change in whole points, as everywhere else; "<1" rather than a "+0" that moved."""
    return str(_half_up(change)) if _half_up(change) else "<1"


def _half_up(value: float) -> int:
    return int(value + 0.5) if value >= 0 else -int(-value + 0.5)


def _score(value: float | None) -> str:
    return "–" if value is None else str(_half_up(value))


def why_overall(diff: Mapping[str, Any]) -> list[str]:
    """Sentences that explain the overall score's move where the findings alone would not:
    workflows scored for the first time or no longer scored, and resolved findings that
    came with a lower score."""
    reasons = []
    for w in diff["workflows"]:
        score = w["score"]
        if score["direction"] == "new":
            reasons.append(f"“{w['name']}” is scored for the first time ({_score(score['after'])}),"
                           " and its score now counts in the overall average.")
        elif score["direction"] == "gone":
            reasons.append(f"“{w['name']}” is no longer scored, so it no longer counts.")
    if not reasons and diff["overall"]["direction"] == "down" and diff["counts"].get("resolved"):
        reasons.append("Findings were resolved, but other answers lowered their scores.")
    return reasons


def _date(value: dt.datetime | None) -> str | None:
    return None if value is None else dates.moment(value)


def comparison_data(diff: Mapping[str, Any], *, system: str, team: str | None,
                    before: Mapping[str, Any], after: Mapping[str, Any],
                    generated_at: dt.date) -> dict[str, Any]:
    """Everything the comparison page and PDF show. `before`/`after`: {label, date}."""
    return {
        "meta": {"system": system, "team": team,
                 "before": {"label": before["label"], "date": _date(before.get("date"))},
                 "after": {"label": after["label"], "date": _date(after.get("date"))},
                 "date_display": dates.day(generated_at),
                 "date": generated_at.isoformat()},
        "overall": delta_view(diff["overall"]),
        "overall_why": why_overall(diff),
        "coverage": delta_view(diff["coverage"]),
        "layers": [{**row, **delta_view(row)} for row in diff["layers"]],
        "workflows": [
            {"name": w["name"], "presence": w["presence"], "score": delta_view(w["score"]),
             "patterns": [{**p, **delta_view(p)} for p in w["patterns"]
                          if p["direction"] != "none"]}
            for w in diff["workflows"]],
        "findings": {kind: [{**f, "severity_label": SEVERITY_WORDS.get(f["severity"], "")}
                            for f in rows] for kind, rows in diff["findings"].items()},
        "answers": list(diff["answers"]),
        "notes": list(diff["notes"]),
        "counts": dict(diff["counts"]),
    }


def render_comparison_html(data: Mapping[str, Any], *, font_base: str = "/static/fonts/",
                           inline_css: bool = True) -> str:
    """The page; without `inline_css` only its own rules (the PDF renderer brings the rest)."""
    return environment().get_template(TEMPLATE).render(
        c=data, css=stylesheet() if inline_css else "", font_faces=font_faces(font_base))


def render_comparison_pdf(data: Mapping[str, Any]) -> bytes:
    """PDF bytes (what the render worker's child runs)."""
    return html_to_pdf(render_comparison_html(data, inline_css=False))
