"""render_pdf: the PDF holds the review, paginated, in the shipped fonts."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader

from tests.report.conftest import load_sample, pdf_pages, pdf_text
from webapp.domain import result_from_dict as typed
from webapp.report import render_pdf


def test_pdf_holds_sections_scores_and_findings(sample_pdf):
    text = pdf_text(sample_pdf)
    for heading in ("Executive summary", "Protection layers", "Failure scenarios",
                    "Remediation plan", "Findings in detail", "Appendix: answers and notes"):
        assert heading in text
    for finding in load_sample()["findings"]:
        assert finding["rule"] in text
    assert "Payments platform" in text and "Q4 2026 review" in text
    assert "21 Nov 2026" in text and "87%" in text


def test_every_page_but_the_cover_says_page_x_of_y(sample_pdf):
    pages = pdf_pages(sample_pdf)
    total = len(pages)
    assert total > 5
    assert "Page" not in pages[0]
    for number, page in enumerate(pages[1:], start=2):
        assert f"Page {number} of {total}" in page
        assert re.search(r"^Payments platform( |$)", page, re.M)  # running header


def test_contents_lists_the_page_of_each_section(sample_pdf):
    pages = pdf_pages(sample_pdf)
    contents = pages[1]
    found = dict(re.findall(r"^(Executive summary|Findings in detail)\s*(\d+)$", contents, re.M))
    assert set(found) == {"Executive summary", "Findings in detail"}
    for title, page in found.items():
        assert title in pages[int(page) - 1].split("\n", 3)[-1]


def test_fonts_are_the_shipped_inter_family(sample_pdf):
    reader = PdfReader(io.BytesIO(sample_pdf))
    fonts = {str(font["/BaseFont"]) for page in reader.pages
             for font in page["/Resources"]["/Font"].values()
             if "/BaseFont" in font.get_object()}
    assert fonts and all("Inter" in name for name in fonts)


def test_letter_page_size_is_an_option():
    page = PdfReader(io.BytesIO(render_pdf(typed(load_sample()), page_size="Letter"))).pages[1]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (612, 792)


def test_a4_is_the_default(sample_pdf):
    page = PdfReader(io.BytesIO(sample_pdf)).pages[1]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)


def test_lines_break_at_their_last_fitting_word(sample_pdf):
    """A space before an inline element once made WeasyPrint break a table cell after its
    first word ("How" / "many transactions … fit.volume"); the templates put such spaces
    inside the element."""
    lines = pdf_text(sample_pdf).splitlines()
    assert any(line.startswith("How many transactions does the system handle") for line in lines)
    lone_words = [(line, after) for line, after in zip(lines, lines[1:], strict=False)
                  if re.fullmatch(r"[A-Z][a-z]{0,4}", line) and after[:1].islower()]
    assert lone_words == []


def test_top_actions_name_the_finding_to_read(sample_pdf):
    summary = next(page for page in pdf_pages(sample_pdf) if "most important actions" in page)
    assert re.search(r"effort \w · finding 1 · ", summary, re.M)  # then its follow-up
