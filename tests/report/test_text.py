"""Text in the report: inline Markdown, task lists, long words, CJK and links in the PDF."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from tests.report.conftest import load_sample, pdf_text, set_note
from webapp.domain import result_from_dict as typed
from webapp.report import render_html, render_pdf
from webapp.report.notes import render_inline, render_note


def _first_question(result: dict) -> dict:
    return result["answers"]["sections"][0]["questions"][0]


def _pdf_links(pdf: bytes) -> list[str]:
    uris = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for annot in page.get("/Annots") or []:
            action = annot.get_object().get("/A")
            if action and "/URI" in action:
                uris.append(str(action["/URI"]))
    return uris


def _fonts(pdf: bytes) -> set[str]:
    return {str(font.get_object()["/BaseFont"]) for page in PdfReader(io.BytesIO(pdf)).pages
            for font in page["/Resources"]["/Font"].values()
            if "/BaseFont" in font.get_object()}


@pytest.fixture(scope="module")
def noted_pdf() -> bytes:
    result = load_sample()
    question = _first_question(result)
    question["text"] = "Does every write carry an `Idempotency-Key` header?"
    set_note(result, question["id"], "\n".join([
        "- [x] checked the gateway", "- [ ] check the batch job", "",
        "See [the runbook](../runbooks/pay.md) and [the SLO page](https://slo.example.org/pay).",
        "", "汉字かなカナ한국어 " + "x" * 20000]))
    return render_pdf(typed(result))


@pytest.fixture(scope="module")
def noted_text(noted_pdf) -> str:
    """The text of `noted_pdf` (extracting it takes seconds: done once)."""
    return pdf_text(noted_pdf)


def test_inline_markdown_renders_code_and_escapes_html():
    assert render_inline("Use `Retry-After` <b>now</b>") == (
        "Use <code>Retry-After</code> &lt;b&gt;now&lt;/b&gt;")


def test_question_titles_show_code_not_backticks_in_page_and_pdf(result, noted_text):
    _first_question(result)["text"] = "Does every write carry an `Idempotency-Key` header?"
    assert "<code>Idempotency-Key</code>" in render_html(typed(result))
    assert "Idempotency-Key" in noted_text and "`" not in noted_text


def test_task_list_items_become_boxes():
    html = render_note("- [x] done\n- [ ] open")
    assert "[x]" not in html and "[ ]" not in html
    assert 'aria-label="Done">✓' in html and 'aria-label="Open">□' in html


def test_task_list_prints_a_tick_in_the_pdf(noted_text):
    assert "[x]" not in noted_text and "✓ checked the gateway" in noted_text


def test_relative_links_in_notes_never_become_file_links(noted_pdf):
    links = _pdf_links(noted_pdf)
    assert "https://slo.example.org/pay" in links
    assert not [link for link in links if not link.startswith(("http", "mailto", "#"))]
    assert 'href="../runbooks' not in render_note("[r](../runbooks/pay.md)")


def test_link_addresses_are_printed_after_the_link_text(noted_text):
    text = " ".join(noted_text.split())
    assert "the SLO page (https://slo.example.org/pay)" in text


def test_a_very_long_word_wraps_instead_of_running_off_the_page(noted_text):
    text = noted_text.replace("\u200b", "")
    assert max(len(line) for line in text.splitlines()) < 400
    assert text.count("x") >= 20000  # every x is printed, none clipped


def test_cjk_text_uses_the_shipped_fallback_font(noted_pdf, noted_text):
    assert any("Faultline-Fallback" in name for name in _fonts(noted_pdf))
    assert "汉字かなカナ한국어" in noted_text.replace("\n", "")
