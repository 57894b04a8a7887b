"""The report (HTML page and PDF, both editions) shows the system's scenarios once, in their own
block before the workflows', never repeated under each workflow (issue 14)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from webapp.domain import evaluate_result, load_answers, load_content
from webapp.report import build_report_data, render_html, render_pdf

from .conftest import pdf_text

REPO = Path(__file__).resolve().parents[2]
BLOCK = "The system under stress"


@pytest.fixture(scope="module")
def payments():
    content = load_content(REPO)
    return evaluate_result(content, load_answers(REPO / "examples" / "payments-platform-v2.yaml",
                                                 content))


def _titles(result) -> list[str]:
    return [s.title for s in result.system_scenarios]


def test_the_full_report_has_one_system_block_before_the_workflows(payments) -> None:
    html = render_html(payments, generated_at="2026-12-07")
    assert html.count(f"<h3>{BLOCK}</h3>") == 1
    assert html.index('id="system-scenarios"') < html.index('id="' + "workflow-")
    for title in _titles(payments):
        assert html.count(f'<th scope="row">{title}</th>') == 1, title
    assert f'<a href="#system-scenarios">{BLOCK}</a>' in html  # the contents lists it
    block = html[html.index('id="system-scenarios"'):html.index("</section>",
                                                                 html.index('id="system-scenarios"'))]
    assert "What the system does" in block and "Service down" in block


def test_the_summary_counts_each_system_scenario_once(payments) -> None:
    data = build_report_data(payments)
    per_workflow = sum(len(w.scenarios) for w in payments.workflows)
    assert sum(data["summary"]["scenario_counts"].values()) == (
        per_workflow + len(payments.system_scenarios)
        - sum(1 for s in [*payments.system_scenarios,
                          *(s for w in payments.workflows for s in w.scenarios)]
              if s.status == "not-applicable"))
    overview = data["scenario_overview"]
    assert overview[0]["name"] == BLOCK and len(overview) == len(payments.workflows) + 1
    assert overview[0]["unsafe"] == sum(s.status == "unsafe" for s in payments.system_scenarios)


def test_the_pdf_shows_the_system_block_once_in_both_editions(payments) -> None:
    full = " ".join(pdf_text(render_pdf(payments, generated_at="2026-12-07")).split())
    # once in the contents, once as the block's heading
    assert len(re.findall(BLOCK, full)) == 2, full.count(BLOCK)
    zone = next(s.title for s in payments.system_scenarios if s.id == "zone-lost")
    assert full.count(zone) == 1  # a table cell may wrap: whitespace is normalised above
    executive = pdf_text(render_pdf(payments, generated_at="2026-12-07", edition="executive"))
    assert executive.count(BLOCK) == 1  # its row in the scenario overview


def test_a_version_1_report_has_no_system_block() -> None:
    content = load_content(REPO)
    result = evaluate_result(content, load_answers(REPO / "examples" / "payments-platform.yaml",
                                                   content))
    assert BLOCK not in render_html(result, generated_at="2026-12-07")
