"""Labels a reader relies on: not assessed versus not applicable, a provisional score."""

from __future__ import annotations

from tests.report.conftest import pdf_text
from webapp.domain import result_from_dict as typed
from webapp.report import build_report_data, charts, render_html, render_pdf


def _unanswered(result: dict) -> dict:
    workflow = result["workflows"][0]
    workflow["coverage"] = {"percent": 0, "answered": 0, "not_applicable": 0,
                            "unanswered": 24, "total": 24}
    for pattern in workflow["patterns"]:
        pattern.update(score=None, answered=0, status="not_assessed")
    return result


def test_heat_map_says_not_assessed_for_an_unanswered_workflow(result):
    table = build_report_data(typed(_unanswered(result)))["heat_map"][0]
    cells = [row["cells"][0]["text"] for row in table["rows"]]
    assert set(cells) == {"Not assessed"}


def test_heat_map_keeps_na_where_every_question_is_not_applicable():
    cells = {"not_applicable": "N/A", "not_assessed": "Not assessed"}
    workflows = [{"name": status, "anchor": status, "patterns": [
        {"id": "rate", "title": "Rate limiting", "score": None, "status": status}]}
        for status in cells]
    row = charts.heat_map(workflows)[0]["rows"][0]
    assert [cell["text"] for cell in row["cells"]] == list(cells.values())


def test_pdf_heat_map_of_an_unanswered_workflow_never_says_not_applicable(result):
    result["coverage"] = {"percent": 78.3, "answered": 100, "not_applicable": 8,
                          "unanswered": 30, "total": 138}
    text = " ".join(pdf_text(render_pdf(typed(_unanswered(result)))).split())
    assert "Not assessed" in text
    assert "Provisional score" in text and "78% of the questions are answered" in text


def test_a_fully_answered_review_is_not_provisional(result):
    result["coverage"] = {"percent": 100, "answered": 130, "not_applicable": 8,
                          "unanswered": 0, "total": 138}
    html = render_html(typed(result))
    assert "Provisional score" not in html and ", provisional" not in html


def test_a_note_is_shown_beside_the_finding_its_answer_causes(result):
    from tests.report.conftest import set_note

    system = {q["id"] for s in result["answers"]["sections"] for q in s["questions"]}
    data = build_report_data(typed(result))
    finding = next(f for f in data["findings"]
                   if f["because"] and f["because"][0]["id"] in system)
    set_note(result, finding["because"][0]["id"], "Checked with the **payments** team")
    html = render_html(typed(result))
    article = html.split(f'id="{finding["anchor"]}"', 1)[1].split("</article>", 1)[0]
    assert "Team note" in article and "<strong>payments</strong>" in article
