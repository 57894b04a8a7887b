"""The PDF renderer loads data: URLs and files under static/, and nothing else.

The sanitizer already strips HTML from notes, so these tests also inject raw HTML into the
report data after sanitizing: the fetcher alone must hold.
"""

from __future__ import annotations

import io
import logging
import socket

import pytest
from pypdf import PdfReader

from tests.report.conftest import load_sample, pdf_text, set_note
from webapp.domain import result_from_dict as typed
from webapp.report import build_report_data, render_pdf
from webapp.report.fetcher import FetchRefused, StaticOnlyFetcher
from webapp.report.paths import STATIC_DIR
from webapp.report.pdf import render_data_pdf

PIXEL = ("data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4"
         "nGNgYPj/HwADAgH/eL9GtQAAAABJRU5ErkJggg==")


@pytest.fixture
def listener():
    """A local TCP listener; the test checks nobody ever connected to it."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.setblocking(False)
    yield server
    server.close()


def assert_no_connection(server: socket.socket) -> None:
    with pytest.raises(BlockingIOError):
        server.accept()[0].close()


def data_with_raw_note(html: str) -> dict:
    """Report data whose first note is raw HTML, as if the sanitizer had let it through."""
    data = build_report_data(typed(load_sample()), generated_at="2026-11-21")
    data["appendix"][0]["rows"][0]["note_html"] = html
    return data


def attachments(pdf: bytes) -> dict:
    return PdfReader(io.BytesIO(pdf)).attachments


# --- the fetcher on its own --------------------------------------------------------------

@pytest.mark.parametrize(("url", "reason"), [
    ("http://127.0.0.1:9/x", "scheme 'http'"),
    ("https://example.org/x.css", "scheme 'https'"),
    ("ftp://example.org/x", "scheme 'ftp'"),
    ("file:///etc/passwd", "outside the static folder"),
    ((STATIC_DIR / "css" / ".." / ".." / "pyproject.toml").as_uri(), "outside the static folder"),
    ("file://" + str(STATIC_DIR) + "/css/../../pyproject.toml", "outside the static folder"),
    ("file://evil.example/share/x", "remote file host"),
    ((STATIC_DIR / "fonts" / "missing.otf").as_uri(), "no such file"),
    (STATIC_DIR.as_uri(), "no such file"),
])
def test_fetcher_refuses_and_logs_each_refusal(url, reason, caplog):
    with caplog.at_level(logging.WARNING, logger="webapp.report.fetcher"), \
            pytest.raises(FetchRefused, match=reason):
        StaticOnlyFetcher().fetch(url)
    assert [r.getMessage() for r in caplog.records] == [
        f"PDF fetch refused: {url} ({caplog.records[0].args[1]})"]
    assert reason in caplog.records[0].getMessage()


def test_fetcher_refuses_a_symlink_that_leaves_the_static_folder(tmp_path):
    root = tmp_path / "static"
    root.mkdir()
    (tmp_path / "secret.txt").write_text("secret")
    (root / "link.txt").symlink_to(tmp_path / "secret.txt")
    with pytest.raises(FetchRefused, match="outside the static folder"):
        StaticOnlyFetcher(root).fetch((root / "link.txt").as_uri())


def test_fetcher_serves_static_files_and_data_urls():
    font = StaticOnlyFetcher().fetch((STATIC_DIR / "fonts" / "OFL.txt").as_uri())
    assert b"SIL OPEN FONT LICENSE" in font.read()
    assert StaticOnlyFetcher().fetch(PIXEL).read().startswith(b"\x89PNG")


# --- whole renders ------------------------------------------------------------------------

def test_note_image_pointing_at_a_local_server_is_never_requested(listener, caplog):
    port = listener.getsockname()[1]
    note = f'<img src="http://127.0.0.1:{port}/x"><p>note survives</p>'
    with caplog.at_level(logging.WARNING, logger="webapp.report.fetcher"):
        pdf = render_data_pdf(data_with_raw_note(note))
    assert_no_connection(listener)
    assert "note survives" in pdf_text(pdf)  # the render went on without the image
    assert any(f"127.0.0.1:{port}" in r.getMessage() for r in caplog.records)


def test_markdown_note_with_an_image_is_never_requested(listener):
    result = load_sample()
    port = listener.getsockname()[1]
    set_note(result, "sys.observe.alerting", f'<img src="http://127.0.0.1:{port}/x"> ![x](http://127.0.0.1:{port}/y)')
    assert render_pdf(typed(result)).startswith(b"%PDF")
    assert_no_connection(listener)


@pytest.mark.parametrize("href", ["file:///etc/passwd", "../pyproject.toml",
                                  "../../../../../../etc/passwd", "css/../../pyproject.toml"])
def test_attachments_outside_static_embed_nothing(href, caplog):
    with caplog.at_level(logging.WARNING, logger="webapp.report.fetcher"):
        pdf = render_data_pdf(data_with_raw_note(f'<link rel="attachment" href="{href}">'))
    assert attachments(pdf) == {}
    assert b"/EmbeddedFile" not in pdf and b"root:x:0:0" not in pdf
    assert any("outside the static folder" in r.getMessage() for r in caplog.records)


def test_an_attachment_inside_static_is_embedded():
    pdf = render_data_pdf(data_with_raw_note('<link rel="attachment" href="fonts/OFL.txt">'))
    assert b"SIL OPEN FONT LICENSE" in attachments(pdf)["OFL.txt"][0]


def test_stylesheet_and_image_from_outside_are_ignored_but_data_urls_load(listener):
    port = listener.getsockname()[1]
    note = (f'<link rel="stylesheet" href="http://127.0.0.1:{port}/s.css">'
            f'<img src="../../pyproject.toml"><img src="{PIXEL}">'
            f'<div style="background: url(http://127.0.0.1:{port}/bg.png)">x</div>')
    pdf = render_data_pdf(data_with_raw_note(note))
    assert_no_connection(listener)
    assert b"/Subtype /Image" in pdf  # the data: pixel made it in
