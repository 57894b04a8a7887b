"""The results page's plain data: the report's data plus what only the web page has.

The page shows the same numbers, chart geometry and texts as the HTML/PDF report
(`webapp.report.build_report_data` builds them once); this module adds the web page's own
parts: links from every answer to the question it came from, the finding anchors the
question pages link to, one heat-map table instead of page-wide slices, and the empty states.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from webapp.assessments.evaluation import question_anchor
from webapp.domain.result import Reference, Result
from webapp.report import build_report_data, charts
from webapp.report.html import environment as report_environment

#: Plan buckets longer than this show their first items and fold the rest.
PLAN_VISIBLE = 8
#: Unanswered questions listed one by one under a finding or scenario; more become a count.
OPEN_LISTED = 2
UNANSWERED = "Unanswered"


@dataclass(frozen=True)
class QuestionLinks:
    """Where each question is edited: `section_url(section id)` for the system's questions,
    `workflow_url(position)` for a workflow's; both without the `#q-...` fragment.

    With `details_url(anchor)` (a page with the finding's whole card, for readers without
    JavaScript) a finding card leaves its body out: static/js/results.js fetches it when the
    card opens (results.finding_body). Without it (a milestone's frozen page) the body is in
    the card."""

    section_url: Callable[[str], str]
    workflow_url: Callable[[int], str]
    details_url: Callable[[str], str] | None = None


def layer_chart_svg(chart: dict) -> Markup:
    """The report's own layer-chart macro, so the page and the PDF draw the same chart."""
    macros = report_environment().get_template("_macros.html.j2").module
    return Markup(macros.layer_chart(chart))


def results_page(result: Result, links: QuestionLinks, *, team: str | None = None) -> dict:
    """Everything `results/_content.html` draws, from the typed result (a fresh dict: the caller
    may cache it per revision)."""
    data = build_report_data(result, team=team)
    linker = _Linker(links, _system_sections(result))
    references = {f.key: f.references for f in result.findings}
    first_of_rule: dict[str, dict] = {}
    for finding in data["findings"]:
        linker.link_all(finding["because"], finding["position"])
        _fold_open(finding)
        position = -1 if finding["position"] is None else finding["position"]
        finding["reference_links"] = _reference_links(references[(finding["rule"], position)])
        finding["details_url"] = links.details_url and links.details_url(finding["anchor"])
        first = first_of_rule.setdefault(finding["rule"], finding)
        finding["same_as"] = None if first is finding else {
            "number": first["number"], "anchor": first["anchor"], "scope": first["scope"]}
    for scenario in data["system_scenarios"]:
        linker.link_all(scenario["because"], -1)  # system questions: their section's page
        _fold_open(scenario)
    for workflow in data["workflows"]:
        for scenario in workflow["scenarios"]:
            linker.link_all(scenario["because"], workflow["position"])
            _fold_open(scenario)
        for item in workflow["evidence"]["suggestions"]:
            item["href"] = linker.url(item["question"], workflow["position"])
    sections = result.answers.sections
    return {
        **data,
        "heat_map": _heat_map(data["workflows"]),
        "plan": [_bucket(b) for b in data["plan"]],  # one action per root cause (report data)
        "coverage": result.coverage,
        "first_section": sections[0].id if sections else None,
        "has_answers": result.has_answers,
        "fit_open": len(result.fit.unanswered),
        "honesty": result.honesty,
        "layer_links": {x["id"]: links.section_url(x["id"]) for x in data["layers"]},
    }


def _fold_open(item: dict) -> None:
    """More than OPEN_LISTED unanswered questions read as one line: their count, linked to
    the first of them; the answered ones stay listed."""
    open_items = [b for b in item["because"] if b["answer"] == UNANSWERED]
    item["open"] = None
    if len(open_items) > OPEN_LISTED:
        item["because"] = [b for b in item["because"] if b["answer"] != UNANSWERED]
        item["open"] = {"count": len(open_items), "url": open_items[0].get("url")}


def _system_sections(result: Result) -> dict[str, str]:
    """System question id → id of the section (step page) that asks it."""
    return {q.id: s.id for s in result.answers.sections for q in s.questions}


class _Linker:
    def __init__(self, links: QuestionLinks, sections: dict[str, str]) -> None:
        self.links, self.sections = links, sections

    def url(self, question_id: str, position: int | None) -> str | None:
        section = self.sections.get(question_id)
        if section is not None:
            base = self.links.section_url(section)
        elif position is not None:
            base = self.links.workflow_url(position)
        else:
            return None
        return f"{base}#{question_anchor(question_id)}"

    def link_all(self, items: list[dict], position: int | None) -> None:
        for item in items:
            item["url"] = self.url(item["id"], position)


def _reference_links(references: tuple[Reference, ...]) -> list[dict]:
    """{title, url} with the url kept only when it is http(s); anything else shows as text."""
    return [{"title": ref.title or ref.url or "",
             "url": ref.url if (ref.url or "").startswith(("https://", "http://")) else None}
            for ref in references]


def _bucket(bucket: dict) -> dict:
    findings = bucket["findings"]
    return {**bucket, "shown": findings[:PLAN_VISIBLE], "folded": findings[PLAN_VISIBLE:],
            "quick_wins": sum(1 for f in findings if f["quick_win"])}


def _heat_map(workflows: list[dict]) -> dict:
    """One table for the screen (it scrolls sideways), unscored cells told apart."""
    tables = charts.heat_map(workflows, per_table=max(1, len(workflows)))
    table: dict[str, Any] = tables[0] if tables else {"columns": [], "rows": []}
    pattern_ids = list(dict.fromkeys(p["id"] for w in workflows for p in w["patterns"]))
    statuses = {(w["position"], p["id"]): p["status"] for w in workflows for p in w["patterns"]}
    for row, pattern_id in zip(table["rows"], pattern_ids, strict=False):
        for position, cell in enumerate(row["cells"]):
            if cell["score"] is None:
                na = statuses.get((position, pattern_id)) == "not_applicable"
                cell["text"] = "N/A" if na else "Not assessed"
                cell["band_label"] = "Not applicable" if na else "No answer yet"
                cell["band"] = "na" if na else "none"
    return table
