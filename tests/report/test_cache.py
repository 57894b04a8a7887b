"""The PDF cache renders an unchanged report once; renders run under a time limit."""

from __future__ import annotations

import pytest

from webapp.domain import result_from_dict as typed
from webapp.report import ReportTimeout, build_report_data, get_or_render_pdf, is_cached
from webapp.report import cache as report_cache
from webapp.report import worker as worker_module
from webapp.report.cache import cache_key
from webapp.report.worker import RenderWorker, ReportError


@pytest.fixture
def cache_dir(tmp_path):
    return tmp_path / "pdf-cache"


class FakeWorker:
    """Stands in for the render worker; counts renders."""

    def __init__(self):
        self.calls = 0

    def render(self, data, timeout=None):
        self.calls += 1
        return b"%PDF-fake " + data["meta"]["system_name"].encode()


@pytest.fixture
def fake_worker(monkeypatch):
    worker = FakeWorker()
    monkeypatch.setattr(report_cache, "shared_worker", lambda: worker)
    return worker


def test_second_request_is_a_hit_without_rendering(result, cache_dir, fake_worker):
    first = get_or_render_pdf(typed(result), cache_dir, generated_at="2026-11-21")
    second = get_or_render_pdf(typed(result), cache_dir, generated_at="2026-11-21")
    assert first == (b"%PDF-fake Payments platform", False)
    assert second == (first[0], True)
    assert fake_worker.calls == 1
    assert [p.suffix for p in cache_dir.iterdir()] == [".pdf"]  # no temporary file left


def test_a_hit_never_touches_the_renderer(result, cache_dir, fake_worker, monkeypatch):
    pdf, _ = get_or_render_pdf(typed(result), cache_dir, generated_at="2026-11-21")

    def explode():
        raise AssertionError("a cache hit must not render")

    monkeypatch.setattr(report_cache, "shared_worker", explode)
    assert get_or_render_pdf(typed(result), cache_dir, generated_at="2026-11-21") == (pdf, True)


def test_changed_answers_or_page_size_render_again(result, cache_dir, fake_worker):
    get_or_render_pdf(typed(result), cache_dir, generated_at="2026-11-21")
    get_or_render_pdf(typed(result), cache_dir, generated_at="2026-11-21", page_size="Letter")
    result["overall"] = 55
    get_or_render_pdf(typed(result), cache_dir, generated_at="2026-11-21")
    assert fake_worker.calls == 3 and len(list(cache_dir.glob("*.pdf"))) == 3


def test_key_depends_on_template_version(result, monkeypatch):
    data = build_report_data(typed(result), generated_at="2026-11-21")
    before = cache_key(data)
    monkeypatch.setattr(report_cache, "template_version", lambda: "another-template")
    assert cache_key(data) != before


def test_a_real_render_is_cached_and_served(result, cache_dir):
    pdf, hit = get_or_render_pdf(typed(result), cache_dir, generated_at="2026-11-21", timeout=60)
    assert pdf.startswith(b"%PDF") and hit is False
    assert get_or_render_pdf(typed(result), cache_dir, generated_at="2026-11-21") == (pdf, True)


def test_a_slow_render_times_out_with_a_retryable_message(result, cache_dir):
    with pytest.raises(ReportTimeout) as caught:
        get_or_render_pdf(typed(result), cache_dir, generated_at="2026-11-22", timeout=0.01)
    assert caught.value.retryable
    assert "Try again" in str(caught.value) and "0.01 seconds" in str(caught.value)
    assert not cache_dir.exists() or not list(cache_dir.iterdir())


def test_the_worker_is_killed_on_timeout_and_a_new_one_answers():
    worker = RenderWorker(target="time:sleep")  # sleeps for `data` seconds, returns None
    try:
        with pytest.raises(ReportTimeout):
            worker.render(30, timeout=0.5)
        assert worker.pid is None  # killed and forgotten
        with pytest.raises(ReportError, match="TypeError") as caught:
            worker.render(0, timeout=10)  # a fresh child answers (None is not PDF bytes)
        assert not caught.value.retryable and worker.pid is not None
    finally:
        worker.stop()


def test_is_cached_tells_whether_a_download_is_ready(result, cache_dir, fake_worker):
    assert not is_cached(typed(result), cache_dir, generated_at="2026-11-21")
    get_or_render_pdf(typed(result), cache_dir, generated_at="2026-11-21")
    assert is_cached(typed(result), cache_dir, generated_at="2026-11-21")
    assert not is_cached(typed(result), cache_dir, generated_at="2026-11-22")


@pytest.mark.parametrize(("setting", "value"), [("MAX_RENDERS", 2), ("MAX_GROWTH", -0.5)])
def test_the_worker_is_replaced_when_spent(monkeypatch, setting, value):
    """After too many renders, or once it grew past its budget (here: always), the child is
    replaced right after answering."""
    monkeypatch.setattr(worker_module, setting, value)
    worker = RenderWorker(target="json:dumps")  # returns str, so every answer is an error
    try:
        pids = []
        for _ in range(3):
            with pytest.raises(ReportError):
                worker.render(1, timeout=30)
            pids.append(worker.pid)
        assert pids[0] != pids[1] and None not in pids
    finally:
        worker.stop()


@pytest.mark.parametrize(("target", "answer"), [
    ("tests.report.warm_target:render", b"warm"),  # warm_up ran before the first render
    ("tests.report.broken_warm_target:render", b"rendered"),  # a failed warm-up is not fatal
])
def test_the_worker_warms_up_before_it_reports_ready(target, answer):
    worker = RenderWorker(target=target)
    try:
        worker.start()
        assert worker.render(None, timeout=30) == answer
    finally:
        worker.stop()
