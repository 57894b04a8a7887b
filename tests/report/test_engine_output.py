"""The report renders what the engine really produces: its committed sample and the CLI."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from markupsafe import escape

from tests.report.conftest import pdf_pages
from webapp.cli import main
from webapp.domain import result_from_dict as typed
from webapp.report import render_html, render_pdf

DOMAIN_FIXTURES = Path(__file__).parents[1] / "domain" / "fixtures"
SAMPLE = DOMAIN_FIXTURES / "sample-result.json"



@pytest.fixture
def engine_result() -> dict:
    return json.loads(SAMPLE.read_text(encoding="utf-8"))


def test_engine_sample_renders_as_html(engine_result):
    html = render_html(typed(engine_result))
    assert escape(engine_result["system"]["name"]) in html
    for finding in engine_result["findings"]:
        assert escape(finding["title"]) in html
    for workflow in engine_result["workflows"]:
        for scenario in workflow["scenarios"]:
            assert escape(scenario["label"]) in html


def test_an_action_names_what_it_also_removes_once_with_every_workflow(engine_result):
    """Two regulated-system findings in two workflows each: said once each, both workflows
    (with their finding numbers) in one parenthesis, not one sentence per workflow."""
    html = render_html(typed(engine_result))
    lines = re.findall(r'class="consequences">Also removes: (.*?)</span>', html)
    assert lines
    for line in lines:
        titles = [part.split(" (")[0] for part in line.split("; ")]
        assert len(titles) == len(set(titles)), line
    assert any(re.search(r"\(Nightly merchant payouts · #\d+, Chargeback evidence sync · #\d+\)",
                         line) for line in lines), lines


def test_engine_sample_renders_as_pdf(engine_result):
    pages = pdf_pages(render_pdf(typed(engine_result)))
    text = "\n".join(pages)
    assert f"Page 2 of {len(pages)}" in text
    assert engine_result["findings"][0]["rule"] in text
    assert engine_result["fit"]["title"] in text


def test_cli_writes_a_pdf_and_an_html_report(tmp_path):
    answers, content = DOMAIN_FIXTURES / "answers.yaml", DOMAIN_FIXTURES / "content"
    for fmt in ("pdf", "html"):
        out = tmp_path / f"review.{fmt}"
        outcome = CliRunner().invoke(main, ["report", str(answers), "--content-dir", str(content),
                                            "--format", fmt, "-o", str(out)])
        assert outcome.exit_code == 0, outcome.output
        assert out.read_bytes().startswith(b"%PDF" if fmt == "pdf" else b"<!DOCTYPE html>")
