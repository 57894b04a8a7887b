"""The results page's plain data: the report's data plus what only the web page has.

The page shows the same numbers, chart geometry and texts as the HTML/PDF report
(`webapp.report.build_report_data` builds them once); this module adds the web page's own
parts: links from every answer to the question it came from, the finding anchors the
question pages link to, one heat-map table instead of page-wide slices, and the empty states.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from webapp.domain import ReviewResult
from webapp.report import build_report_data, charts
from webapp.report.html import environment as report_environment
from webapp.services.evaluation import finding_anchor, question_anchor

#: Plan buckets longer than this show their first items and fold the rest.
PLAN_VISIBLE = 8


@dataclass(frozen=True)
class QuestionLinks:
    """Where each question is edited: `section_url(section id)` for the system's questions,
    `workflow_url(position)` for a workflow's; both without the `#q-...` fragment."""

    section_url: Callable[[str], str]
    workflow_url: Callable[[int], str]


def layer_chart_svg(chart: dict) -> Markup:
    """The report's own layer-chart macro, so the page and the PDF draw the same chart."""
    macros = report_environment().get_template("_macros.html.j2").module
    return Markup(macros.layer_chart(chart))


def not_applicable_cells(result: ReviewResult | None) -> dict[tuple[int, str], bool]:
    """(workflow position, pattern id) → every question of the pattern answered N/A."""
    if result is None:
        return {}
    by_pattern = result.compiled.index.by_pattern
    cells = {}
    for position, workflow in enumerate(result.workflows):
        for pattern_id, infos in by_pattern.items():
            answers = [workflow.answers.get(info.id) for info in infos]
            cells[(position, pattern_id)] = bool(answers) and all(
                a is not None and a.na is not None for a in answers)
    return cells


def results_page(result_dict: dict, links: QuestionLinks, *, team: str | None = None,
                 not_applicable: Mapping[tuple[int, str], bool] | None = None) -> dict:
    """Everything `results/show.html` draws, from the engine's result dict.

    `not_applicable[(workflow position, pattern id)]` is true where every question of that
    pattern was answered "not applicable"; other unscored cells read "not assessed".
    """
    data = build_report_data(result_dict, team=team)
    positions = _positions(result_dict)
    linker = _Linker(links, _system_sections(result_dict), positions)
    references = {(f.get("rule"), f.get("workflow")): f.get("references") or []
                  for f in result_dict.get("findings") or []}
    for finding in data["findings"]:
        _link_finding(finding, positions, linker)
        finding["reference_links"] = _reference_links(
            references.get((finding["rule"], finding["workflow"]), []))
    for position, workflow in enumerate(data["workflows"]):
        for scenario in workflow["scenarios"]:
            linker.link_all(scenario["because"], position)
        for item in workflow["evidence"]["suggestions"]:
            item["href"] = linker.url(item["question"], position)
    return {
        **data,
        "heat_map": _heat_map(data["workflows"], not_applicable or {}),
        "plan": [_bucket(b) for b in data["plan"]],
        "coverage": result_dict.get("coverage") or {},
        "first_section": _first_section(result_dict),
        "has_answers": _answered_any(result_dict),
        "fit_open": len((result_dict.get("fit") or {}).get("unanswered") or []),
        "layer_links": {x["id"]: links.section_url(x["id"]) for x in data["layers"]},
    }


def _positions(result_dict: dict) -> dict[str, int]:
    """Workflow name → position; a repeated name keeps its first workflow."""
    positions: dict[str, int] = {}
    for position, workflow in enumerate(result_dict.get("workflows") or []):
        positions.setdefault(str(workflow.get("name")), position)
    return positions


def _system_sections(result_dict: dict) -> dict[str, str]:
    """System question id → id of the section (step page) that asks it."""
    sections = (result_dict.get("answers") or {}).get("sections") or []
    return {q["id"]: s["id"] for s in sections for q in s.get("questions") or []}


def _first_section(result_dict: dict) -> str | None:
    sections = (result_dict.get("answers") or {}).get("sections") or []
    return sections[0]["id"] if sections else None


def _answered_any(result_dict: dict) -> bool:
    coverage = result_dict.get("coverage") or {}
    return bool(coverage.get("answered") or coverage.get("not_applicable"))


class _Linker:
    def __init__(self, links: QuestionLinks, sections: dict[str, str],
                 positions: dict[str, int]) -> None:
        self.links, self.sections, self.positions = links, sections, positions

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


def _link_finding(finding: dict, positions: dict[str, int], linker: _Linker) -> None:
    workflow = finding["workflow"]
    position = positions.get(workflow) if workflow is not None else None
    finding["position"] = position
    finding["anchor"] = finding_anchor(finding["rule"], position)
    linker.link_all(finding["because"], position)


def _reference_links(references: list) -> list[dict]:
    """{title, url} with the url kept only when it is http(s); anything else shows as text."""
    links = []
    for ref in references:
        ref = ref if isinstance(ref, dict) else {"title": str(ref)}
        url = str(ref.get("url") or "")
        links.append({"title": str(ref.get("title") or url),
                      "url": url if url.startswith(("https://", "http://")) else None})
    return links


def _bucket(bucket: dict) -> dict:
    findings = bucket["findings"]
    return {**bucket, "shown": findings[:PLAN_VISIBLE], "folded": findings[PLAN_VISIBLE:],
            "quick_wins": sum(1 for f in findings if f["quick_win"])}


def _heat_map(workflows: list[dict], not_applicable: Mapping[tuple[int, str], bool]) -> dict:
    """One table for the screen (it scrolls sideways), unscored cells told apart."""
    tables = charts.heat_map(workflows, per_table=max(1, len(workflows)))
    table: dict[str, Any] = tables[0] if tables else {"columns": [], "rows": []}
    pattern_ids = list(dict.fromkeys(p["id"] for w in workflows for p in w["patterns"]))
    for row, pattern_id in zip(table["rows"], pattern_ids, strict=False):
        for position, cell in enumerate(row["cells"]):
            if cell["score"] is None:
                na = not_applicable.get((position, pattern_id), False)
                cell["text"] = "N/A" if na else "Not assessed"
                cell["band_label"] = "Not applicable" if na else "No answer yet"
                cell["band"] = "na" if na else "none"
    return table
