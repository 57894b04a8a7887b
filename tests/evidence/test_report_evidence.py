"""The report shows a workflow's evidence: suggested answers with file:line and their status."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from webapp.cli import main

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "internal-release-tooling.yaml"


@pytest.fixture(scope="module")
def result() -> dict:
    out = CliRunner().invoke(main, ["report", str(EXAMPLE), "--content-dir", str(REPO)])
    return json.loads(out.output)


def evidence_block(html: str, workflow: str) -> str | None:
    """The evidence block of one workflow's section, as text with tags, or None."""
    start = html.index(f"<h3>{workflow}</h3>")
    section = html[start : html.index("</section>", start)]
    found = re.search(r'<div class="evidence-block">.*?</div>', section, re.S)
    return found.group(0) if found else None


def rows(block: str) -> list[str]:
    return [
        re.sub(r"<[^>]+>|\s+", " ", r).strip() for r in re.findall(r"<tr>(.*?)</tr>", block, re.S)
    ]


def test_html_report_lists_suggestions_with_file_line_and_status(result) -> None:
    from webapp.domain import result_from_dict
    from webapp.report import render_html

    block = evidence_block(render_html(result_from_dict(result)), "Release on tag")
    assert "<h4>Evidence from <code>automation/release.yml</code></h4>" in block
    [timeout] = [r for r in rows(block) if r.startswith("automation/release.yml:20 ")]
    assert "Only the platform&#39;s default" in timeout and timeout.endswith("Accepted")
    findings = block.split('class="ev-finding"', 1)[1]
    assert "automation/release.yml:51" in findings and "GitHub release" in findings


def test_overridden_and_pending_suggestions_say_so(result) -> None:
    from webapp.domain import result_from_dict
    from webapp.report import render_html

    result["workflows"][0]["evidence"][0]["status"] = "overridden"
    result["workflows"][0]["evidence"][1]["status"] = "pending"
    block = evidence_block(render_html(result_from_dict(result)), "Release on tag")
    statuses = re.findall(r'class="ev-status ev-(\w+)">(\w+)<', block)
    assert statuses[:2] == [("overridden", "Overridden"), ("pending", "Pending")]


def test_workflow_without_a_file_has_no_evidence_block(result) -> None:
    from webapp.domain import result_from_dict
    from webapp.report import render_html

    html = render_html(result_from_dict(result))
    assert evidence_block(html, "Weekly dependency update PRs") is None


def test_pdf_report_carries_the_evidence(result) -> None:
    from webapp.domain import result_from_dict
    from webapp.report import render_pdf

    pdf = render_pdf(result_from_dict(result))
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "automation/release.yml:46" in text
