"""Several instances on one database and one Redis: two app servers (one of them gunicorn with
two processes) and one queue worker, as separate processes. A PDF asked on one instance is
served by the other; sign-in and share-link rate limits count across instances.

Runs on the session's database kind (PostgreSQL in CI's second pass) with Redis database 2.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from tests.conftest import REDIS_TEST_URL, REPO_ROOT, TEST_SECRET, unavailable
from webapp.accounts import services as accounts
from webapp.app import create_app
from webapp.assessments import services as assessment_service
from webapp.core import migrate
from webapp.core.db import get_database, session_scope
from webapp.core.startup import get_content
from webapp.sharing import services as sharing
from webapp.teams import services as team_service

pytestmark = pytest.mark.slow
PASSWORD = "correct horse battery staple"
TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


@pytest.fixture
def redis_db():
    import redis

    client = redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=1)
    try:
        client.flushdb()
    except redis.RedisError:
        unavailable("no Redis on 127.0.0.1:6379")
    yield REDIS_TEST_URL
    client.flushdb()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Browser:
    """A cookie-keeping HTTP client that never raises on a status code."""

    def __init__(self) -> None:
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, url: str) -> tuple[int, dict, bytes]:
        return self._open(urllib.request.Request(url))

    def post(self, url: str, form_url: str, data: dict) -> tuple[int, dict, bytes]:
        _, _, page = self.get(form_url)
        token = TOKEN.search(page.decode()).group(1)
        body = urllib.parse.urlencode({**data, "csrf_token": token}).encode()
        return self._open(urllib.request.Request(url, data=body))

    def _open(self, request: urllib.request.Request) -> tuple[int, dict, bytes]:
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()


@pytest.fixture
def site(fresh_database_url, redis_db, tmp_path):
    """(instance A url, instance B url, assessment id, share token); stops everything after."""
    migrate.upgrade(fresh_database_url)
    env = {**os.environ, "DATABASE_URL": fresh_database_url, "SECRET_KEY": TEST_SECRET,
           "FAULTLINE_REDIS_URL": redis_db, "FAULTLINE_REPORT_CACHE_DIR": str(tmp_path / "pdfs"),
           "FAULTLINE_CONTENT_DIR": str(REPO_ROOT), "FAULTLINE_ENV": "development",
           "FAULTLINE_SIGNIN_RATE_LIMIT": "4 per minute"}
    assessment_id, token = _seed(fresh_database_url)
    ports = free_port(), free_port()
    commands = [
        ["serve", "--port", str(ports[0]), "--workers", "2", "--threads", "4", "--no-queue"],
        ["serve", "--port", str(ports[1]), "--no-queue"],
        ["worker"],
    ]
    processes = [subprocess.Popen([sys.executable, "-m", "webapp.cli", *command], env=env,
                                  cwd=tmp_path, start_new_session=True,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                 for command in commands]
    urls = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        for url in urls:
            _wait_ready(url)
        yield urls[0], urls[1], assessment_id, token
    finally:
        for process in processes:
            os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


def _seed(url: str) -> tuple[int, str]:
    app = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": TEST_SECRET,
                      "FAULTLINE_CONTENT_DIR": REPO_ROOT, "RATELIMIT_STORAGE_URI": "memory://",
                      "QUEUE_IMMEDIATE": True, "PDF_PRERENDER": False})
    try:
        with app.app_context(), session_scope(app) as session:
            owner = accounts.sign_up(session, email="olga@example.com", name="Olga",
                                     password=PASSWORD)
            team = team_service.create_team(session, owner, "Payments")
            assessment = assessment_service.start_assessment(session, team, owner, name="Ledger",
                                                             content=get_content())
            token = sharing.create_share(session, assessment, owner, label="Audit").token
            return assessment.id, token
    finally:
        get_database(app).engine.dispose()


def _wait_ready(url: str, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/readyz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    pytest.fail(f"{url} did not become ready")


def test_a_pdf_asked_on_one_instance_is_served_by_the_other(site):
    a, b, assessment_id, _ = site
    browser = Browser()
    status, _, _ = browser.post(f"{a}/signin", f"{a}/signin",
                                {"email": "olga@example.com", "password": PASSWORD})
    assert status == 200  # redirected to the start page
    pdf = f"/assessments/{assessment_id}/report.pdf"
    status, _, page = browser.get(a + pdf)
    assert status == 202 and b"Preparing the PDF" in page
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        status, _, page = browser.get(f"{b}{pdf}?waiting=1")
        if status != 202:
            break
        time.sleep(0.5)
    assert status == 200 and b"The PDF is ready" in page
    status, headers, body = browser.get(b + pdf)
    assert status == 200 and body.startswith(b"%PDF")
    assert headers["X-Report-Cache"] == "hit"


def test_the_sign_in_limit_counts_attempts_on_every_instance(site):
    a, b, _, _ = site
    statuses = []
    for number in range(5):
        url = (a, b)[number % 2]
        status, _, _ = Browser().post(f"{url}/signin", f"{url}/signin",
                                      {"email": "olga@example.com", "password": "wrong" * 3})
        statuses.append(status)
    assert statuses == [400, 400, 400, 400, 429]


def test_share_link_guesses_count_on_every_instance(site):
    a, b, _, token = site
    statuses = [Browser().get(f"{(a, b)[n % 2]}/s/guess{n:04d}{'x' * 30}")[0] for n in range(11)]
    assert statuses == [404] * 10 + [429]
    assert Browser().get(f"{b}/s/{token}")[0] == 429  # the guesser is refused on both


def test_hundreds_of_idle_connections_do_not_lock_anyone_out_of_the_single_server(site):
    """`faultline serve` alone (waitress) accepts 1,000 connections. gunicorn's threads each
    wait for a request of their own: it is meant behind a buffering proxy (see
    docs/deployment.md), which sends only complete requests."""
    _, b, _, _ = site
    port = int(b.rsplit(":", 1)[1])
    idle = []
    try:
        idle += [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(300)]
        started = time.monotonic()
        assert Browser().get(f"{b}/healthz")[0] == 200
        assert time.monotonic() - started < 5
    finally:
        for connection in idle:
            connection.close()
