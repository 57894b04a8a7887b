"""Fixtures for the report tests: a realistic engine result and helpers to read PDFs."""

from __future__ import annotations

import copy
import io
import json
from pathlib import Path

import pytest
from pypdf import PdfReader

from webapp.domain import result_from_dict as typed

FIXTURES = Path(__file__).with_name("fixtures")
ENGINE_SAMPLE = Path(__file__).parents[1] / "domain" / "fixtures" / "sample-result.json"


def load_sample() -> dict:
    return json.loads((FIXTURES / "sample-result.json").read_text(encoding="utf-8"))


@pytest.fixture
def result() -> dict:
    """A fresh copy of the sample engine result (tests may change it)."""
    return copy.deepcopy(load_sample())


@pytest.fixture(scope="session")
def sample_pdf() -> bytes:
    """One PDF of the sample, shared by the read-only PDF tests (rendering costs ~1 s)."""
    from webapp.report import render_pdf

    return render_pdf(typed(load_sample()), team="Payments SRE", milestone="Q4 2026 review",
                      generated_at="2026-11-21")


def set_note(result: dict, question_id: str, note: str) -> None:
    """Give a system question of an engine result a new Markdown note."""
    for section in result["answers"]["sections"]:
        for question in section["questions"]:
            if question["id"] == question_id:
                question["note"] = note
                return
    raise KeyError(question_id)


def pdf_pages(pdf: bytes) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages]


def pdf_text(pdf: bytes) -> str:
    return "\n".join(pdf_pages(pdf))
