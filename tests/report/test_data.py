"""build_report_data: the plain data behind the HTML page and the PDF."""

from __future__ import annotations

import dataclasses
import json

import pytest

from webapp.domain import result_from_dict as typed
from webapp.report import build_report_data, render_html


def test_top_actions_are_the_first_five_of_the_plan(result):
    data = build_report_data(typed(result))
    expected = [(p["rule"], p["workflow"]) for p in result["plan"][:5]]
    assert [(f["rule"], f["workflow"]) for f in data["summary"]["top_actions"]] == expected


def test_plan_order_numbers_findings_and_fills_buckets(result):
    result["plan"].reverse()
    data = build_report_data(typed(result))
    assert data["findings"][0]["rule"] == result["plan"][0]["rule"]
    assert [f["number"] for f in data["findings"]] == list(range(1, len(result["findings"]) + 1))
    buckets = {b["id"]: [f["rule"] for f in b["findings"]] for b in data["plan"]}
    assert "WF-IDEM-001" in buckets["now"] and "SYS-EVO-002" in buckets["later"]


def test_findings_are_counted_by_severity(result):
    counts = {row["severity"]: row["count"]
              for row in build_report_data(typed(result))["summary"]["severity_counts"]}
    assert counts == {"critical": 2, "high": 3, "medium": 4, "low": 2}


def test_scores_coverage_and_fit_are_summarised(result):
    summary = build_report_data(typed(result))["summary"]
    assert (summary["overall"], summary["coverage"]) == (54, 87)
    assert summary["fit"]["label"] == "Strong fit"
    assert summary["fit"]["profile"] == ["Customer facing", "High volume", "Regulated"]
    assert summary["scenario_counts"] == {"safe": 7, "unsafe": 7, "unknown": 2}


def test_cover_shows_team_milestone_date_and_questionnaire_version(result):
    meta = build_report_data(typed(result), team="SRE", milestone="M1",
                             generated_at="2026-03-05T10:00:00Z")["meta"]
    assert (meta["team"], meta["milestone"], meta["date"]) == ("SRE", "M1", "2026-03-05")
    assert meta["date_display"] == "5 Mar 2026"
    assert meta["questionnaire_version"] == 1


def test_scenario_answers_are_completed_from_the_appendix(result):
    scenario = build_report_data(typed(result))["workflows"][0]["scenarios"][0]
    assert scenario["because"][0] == {"id": "wf.retries.policy",
                                      "text": "What happens when a step fails?",
                                      "answer": "Retried automatically", "note_html": ""}


def test_notes_are_rendered_as_markdown_and_sanitized(result):
    rows = [r for g in build_report_data(typed(result))["appendix"] for r in g["rows"]]
    note = next(r["note_html"] for r in rows if r["id"] == "sys.observe.alerting")
    assert "<strong>three times</strong>" in note and "<li>owner: payments team</li>" in note
    assert "<script" not in note
    assert 'rel="noopener noreferrer nofollow"' in note


def test_na_answers_keep_their_reason(result):
    rows = [r for g in build_report_data(typed(result))["appendix"] for r in g["rows"]]
    flags = next(r for r in rows if r["id"] == "sys.evolve.flags")
    assert flags["na_reason"] == "No user-facing features ship from this system."
    assert flags["answered"] is True and flags["score"] is None


def test_heat_map_has_a_row_per_pattern_and_marks_na(result):
    table = build_report_data(typed(result))["heat_map"][0]
    assert [c["name"] for c in table["columns"]] == [w["name"] for w in result["workflows"]]
    rate = next(r for r in table["rows"] if r["pattern"] == "Rate limiting")
    # The sample is format 1, which never recorded why a cell has no score: not assessed.
    assert rate["cells"][0] == {"score": None, "text": "Not assessed", "band": "none",
                                "band_label": "Not scored"}
    assert rate["cells"][1]["band"] == "fair"


def test_layer_chart_bars_scale_with_the_score(result):
    chart = build_report_data(typed(result))["layer_chart"]
    widths = {b["label"]: b["width"] for b in chart["bars"]}
    assert widths["Evolve"] == pytest.approx(chart["track_width"] * 0.77, abs=0.1)
    assert widths["Repeat"] < widths["Contain"] < widths["Observe"]


def test_a_layer_without_a_score_reads_not_assessed(result):
    result["layers"][0]["score"] = None
    bar = build_report_data(typed(result))["layer_chart"]["bars"][0]
    assert (bar["label"], bar["value_text"], bar["width"]) == ("Observe", "Not assessed", 0)
    assert "Observe: Not assessed; Contain: 41 of 100 (Weak);" in render_html(typed(result))


def test_a_result_without_workflows_or_findings_builds(result):
    empty = dataclasses.replace(typed(result), workflows=(), findings=(), plan=())
    data = build_report_data(empty)
    assert data["summary"]["top_actions"] == [] and data["heat_map"] == []
    assert data["summary"]["finding_count"] == 0


def test_data_is_plain_json(result):
    data = build_report_data(typed(result), generated_at="2026-11-21")
    assert json.loads(json.dumps(data)) == data


def test_unknown_page_size_is_refused(result):
    with pytest.raises(ValueError, match="A4, Letter"):
        build_report_data(typed(result), page_size="A3")
