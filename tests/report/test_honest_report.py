"""Issue 13 in the report (PDF, share page, CLI): one action per root cause, the executive
plan a director reads, and what keeps the verdict honest shown in the summary."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest

from webapp.domain import evaluate_result, load_answers, load_content
from webapp.report import render_html
from webapp.report.data import build_report_data

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def payments():
    content = load_content(REPO)
    answers = load_answers(REPO / "examples" / "payments-platform.yaml", content)
    return content, answers, evaluate_result(content, answers)


def test_findings_with_one_root_cause_are_one_action_in_the_plan(payments) -> None:
    _, _, result = payments
    data = build_report_data(result)
    actions = [f for b in data["plan"] for f in b["findings"]]
    assert len(actions) == len(result.plan) < len(result.findings)
    grouped = next(f for f in actions if f["rule"] == "observe.regulated-without-audit-trail")
    assert len(grouped["consequences"]) == 4
    assert all(c["number"] > len(actions) for c in grouped["consequences"])  # their own cards
    assert len(data["plan"][0]["findings"]) <= 7
    html = render_html(result)
    plan = html.split('id="plan"')[1].split('id="findings"')[0]
    assert plan.count("Also removes:") == sum(1 for f in actions if f["consequences"])
    assert "In a regulated system, automated changes are not fully recorded" in plan


def test_the_executive_plan_lists_now_and_only_the_serious_rest(payments) -> None:
    _, _, result = payments
    html = render_html(result, edition="executive")
    plan = html.split('id="plan"')[1]
    now, rest = plan.split('bucket-next')[0], plan.split('bucket-next')[1]
    assert now.count("<tr>") - 1 == len([s for s in result.plan if s.bucket == "now"])
    next_actions = [s for s in result.plan if s.bucket == "next"]
    assert f"{len(next_actions)} actions:" in rest
    serious = [s for s in next_actions if s.severity in ("critical", "high")]
    listed = rest.split('bucket-later')[0]
    assert listed.count("<tr>") - 1 == len(serious)
    medium = next(s for s in next_actions if s.severity == "medium")
    assert medium.title not in listed


def test_the_summary_names_open_risks_and_the_layer_that_holds_the_score(payments) -> None:
    content, answers, result = payments
    assert result.honesty.open_risks
    html = render_html(result, edition="executive")
    summary = html.split('id="summary"')[1].split('id="layers"')[0]
    assert "Open risks" in summary
    assert result.honesty.open_risks[0].title in summary
    weak = copy.deepcopy(answers)
    for qid in ("contain.circuit-breakers", "contain.load-shedding", "contain.fallbacks",
                "contain.isolation", "contain.partial-failure-state",
                "contain.automation-boundary", "contain.authz-separation"):
        weak.answers[qid] = type(weak.answers[qid]).choice("unsure")
    held = render_html(evaluate_result(content, weak))
    text = re.sub(r"<[^>]+>", "", held.split('id="summary"')[1].split('id="layers"')[0])
    assert "Held at 50 at most: Contain scores below 25" in text


def test_the_weakest_links_carry_their_risk_counts(payments) -> None:
    _, _, result = payments
    data = build_report_data(result, edition="executive")
    weakest = data["weakest"][0]
    assert weakest["name"] == "Chargeback evidence sync"
    position = next(w.position for w in result.workflows if w.name == weakest["name"])
    high = sum(1 for f in result.findings if f.position == position and f.severity == "high")
    assert weakest["risks"]["high"] == high > 0
    table = render_html(result, edition="executive").split('class="weakest"')[1]
    row = table.split("Chargeback evidence sync</td>")[1]
    assert re.sub(r"<[^>]+>", " ", row.split("</tr>")[0]).split()[1:4] == [
        "0", str(high), str(weakest["risks"]["medium"])]
