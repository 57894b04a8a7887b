"""render_html: the standalone page the web app serves and the CLI writes."""

from __future__ import annotations

import re

from tests.report.conftest import set_note
from webapp.domain import result_from_dict as typed
from webapp.report import render_html

SECTIONS = ["Executive summary", "Fit for a reliability review", "Protection layers",
            "Workflow patterns", "Failure scenarios", "Remediation plan", "Findings in detail",
            "Appendix: answers and notes"]


def test_page_holds_every_section_score_and_finding(result):
    html = render_html(typed(result), team="Payments SRE", milestone="Q4 review")
    for heading in SECTIONS:
        assert f">{heading}</h2>" in html
    for finding in result["findings"]:
        assert finding["title"] in html
    assert "Payments SRE" in html and "Q4 review" in html and "version 1" in html
    assert ">54<" in html and "87%" in html


def test_page_is_standalone_with_inline_css_and_static_fonts(result):
    html = render_html(typed(result), static_url="/assets/")
    assert html.startswith("<!DOCTYPE html>")
    assert "<link" not in html and "@page" in html
    assert 'url("/assets/fonts/Inter-Regular.otf")' in html


def test_layer_chart_is_accessible_svg(result):
    html = render_html(typed(result))
    svg = re.search(r"<svg.*?</svg>", html, re.S).group(0)
    assert 'role="img"' in svg and "<title" in svg
    assert "Observe: 58 of 100 (Weak)" in svg


def test_user_text_is_escaped(result):
    result["system"]["name"] = "<script>alert(1)</script>"
    result["findings"][0]["title"] = "<img src=x onerror=alert(1)>"
    html = render_html(typed(result))
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_note_html_is_shown_as_text_not_markup(result):
    set_note(result, "sys.observe.alerting", 'See <img src="http://127.0.0.1:9/x"> **now**')
    html = render_html(typed(result))
    assert "<img" not in html and "<strong>now</strong>" in html


def test_page_size_option_reaches_the_print_css(result):
    assert "@page { size: Letter; }" in render_html(typed(result), page_size="Letter")
    assert "@page { size: A4; }" in render_html(typed(result))
