"""Fail fast: the app and `faultline serve` refuse to start with one clear line."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from webapp import server
from webapp.app import create_app
from webapp.cli import main
from webapp.core import migrate, startup
from webapp.core.config import ConfigError, load_settings, served_address
from webapp.core.startup import StartupError

UNREACHABLE = "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2"


@pytest.fixture
def quiet_serve(monkeypatch):
    """Keep `faultline serve` from installing its JSON log handler in the test process."""
    monkeypatch.setattr(server, "configure_logging", lambda: None)


def only_line(output: str) -> str:
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1, output
    assert "Traceback" not in output
    return lines[0]


def test_production_without_secret_key_refuses_to_start(app_config):
    with pytest.raises(StartupError, match="^SECRET_KEY is not set"):
        create_app({**app_config, "FAULTLINE_ENV": "production", "SECRET_KEY": ""})


def test_production_with_short_secret_key_refuses_to_start(app_config):
    with pytest.raises(StartupError, match="SECRET_KEY is too short"):
        create_app({**app_config, "FAULTLINE_ENV": "production", "SECRET_KEY": "short"})


def test_production_with_real_secret_starts_and_marks_cookies_secure(make_app):
    app = make_app(FAULTLINE_ENV="production", SECRET_KEY="s" * 40,
                   FAULTLINE_BASE_URL="https://faultline.example.com")
    assert app.config["FAULTLINE_ENV"] == "production"


def test_unmigrated_database_refuses_with_the_command_to_run(app_config, fresh_database_url):
    with pytest.raises(StartupError) as caught:
        create_app({**app_config, "DATABASE_URL": fresh_database_url})
    assert str(caught.value) == (
        f"database schema is at empty, this version needs {migrate.head_revision()}: "
        "run `faultline db upgrade`"
    )


def test_unreachable_database_refuses_naming_the_database(app_config):
    with pytest.raises(StartupError, match=r"^database unreachable \(.*127\.0\.0\.1"):
        create_app({**app_config, "DATABASE_URL": UNREACHABLE})


def test_invalid_content_refuses_with_the_loaders_reason(app_config, monkeypatch, tmp_path):
    def broken_loader(content_dir: Path):
        raise ValueError("rules/system-observe.yaml: rules[2].severity: 'hgih' is not allowed")

    monkeypatch.setattr(startup, "_content_loader", lambda: broken_loader)
    with pytest.raises(StartupError) as caught:
        create_app({**app_config, "FAULTLINE_CONTENT_DIR": tmp_path})
    assert str(caught.value) == (
        f"invalid content in {tmp_path}: "
        "rules/system-observe.yaml: rules[2].severity: 'hgih' is not allowed"
    )


def test_real_content_loader_rejects_a_broken_questionnaire(app_config, tmp_path):
    (tmp_path / "questionnaires").mkdir()
    (tmp_path / "rules").mkdir()
    (tmp_path / "questionnaires" / "broken.yaml").write_text("id: [unclosed\n", encoding="utf-8")
    with pytest.raises(StartupError, match="^invalid content in .*broken.yaml"):
        create_app({**app_config, "FAULTLINE_CONTENT_DIR": tmp_path})


def test_development_defaults_live_in_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    first = load_settings(env={})
    second = load_settings(env={})
    assert first["DATABASE_URL"] == f"sqlite:///{tmp_path / 'instance' / 'faultline.sqlite3'}"
    assert len(str(first["SECRET_KEY"])) >= 32
    assert first["SECRET_KEY"] == second["SECRET_KEY"]  # kept, so sessions survive restarts
    assert first["RATELIMIT_STORAGE_URI"] == "memory://"


def test_environment_settings_are_read(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    settings = load_settings(env={
        "DATABASE_URL": "postgresql://u@db/faultline",
        "SECRET_KEY": "k" * 40,
        "FAULTLINE_REDIS_URL": "redis://127.0.0.1:6379/0",
        "FAULTLINE_BASE_URL": "https://faultline.example/",
        "FAULTLINE_ENV": "production",
    })
    assert settings["DATABASE_URL"] == "postgresql+psycopg://u@db/faultline"
    assert settings["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/0"
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert settings["FAULTLINE_BASE_URL"] == "https://faultline.example"
    assert not (tmp_path / "instance").exists()


def test_cli_serve_refuses_production_without_secret(runner, quiet_serve, tmp_path):
    env = {"FAULTLINE_ENV": "production", "SECRET_KEY": "",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"}
    result = runner.invoke(main, ["serve"], env=env)
    assert result.exit_code == 1
    assert only_line(result.output).startswith("Error: SECRET_KEY is not set")


def test_cli_serve_refuses_an_unreachable_database(runner, quiet_serve):
    result = runner.invoke(main, ["serve"], env={"DATABASE_URL": UNREACHABLE,
                                                 "SECRET_KEY": "k" * 40})
    assert result.exit_code == 1
    assert only_line(result.output).startswith("Error: database unreachable (")


def test_cli_serve_refuses_a_wrong_environment_name(runner, quiet_serve):
    result = runner.invoke(main, ["serve"], env={"FAULTLINE_ENV": "staging"})
    assert result.exit_code == 1
    assert only_line(result.output) == (
        "Error: FAULTLINE_ENV must be one of development, production, not 'staging'"
    )


def test_cli_db_upgrade_current_downgrade(runner, tmp_path):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}", "SECRET_KEY": "k" * 40}
    head = migrate.head_revision()
    assert runner.invoke(main, ["db", "current"], env=env).output.startswith("empty")
    result = runner.invoke(main, ["db", "upgrade"], env=env)
    assert result.exit_code == 0, result.output
    assert runner.invoke(main, ["db", "current"], env=env).output.strip() == (
        f"{head} (latest: {head})"
    )
    result = runner.invoke(main, ["db", "downgrade", "base"], env=env)
    assert result.exit_code == 0 and "empty" in result.output


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, timeout: float = 20) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.status
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer within {timeout}s")


@pytest.mark.slow
def test_faultline_serve_creates_the_database_and_serves(tmp_path):
    """README command 1 in miniature: no configuration, a fresh folder, a working server."""
    port = free_port()
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "SECRET_KEY", "FAULTLINE_ENV")}
    command = [sys.executable, "-c", "from webapp.cli import main; main()",
               "serve", "--port", str(port)]
    process = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        assert wait_for(f"http://127.0.0.1:{port}/readyz") == 200
        assert (tmp_path / "instance" / "faultline.sqlite3").exists()
        assert (tmp_path / "instance" / "secret_key").exists()
    finally:
        process.terminate()
        _out, err = process.communicate(timeout=45)  # the queue worker child stops first
    assert '"message": "serving on http://127.0.0.1:' in err


def test_valid_content_is_loaded_once_and_kept_on_the_app(app, make_app):
    content = startup.get_content(app)
    assert content is not None
    assert startup.get_content(make_app()) is content  # unchanged files are not reloaded


def test_production_without_a_base_url_refuses_to_start(app_config):
    with pytest.raises(StartupError, match="^FAULTLINE_BASE_URL is not set; production needs"):
        create_app({**app_config, "FAULTLINE_ENV": "production", "SECRET_KEY": "s" * 40,
                    "FAULTLINE_BASE_URL": ""})


def test_cli_serve_refuses_production_without_a_base_url(runner, quiet_serve, tmp_path):
    env = {"FAULTLINE_ENV": "production", "SECRET_KEY": "s" * 40, "FAULTLINE_BASE_URL": "",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"}
    result = runner.invoke(main, ["serve"], env=env)
    assert result.exit_code == 1
    assert only_line(result.output).startswith("Error: FAULTLINE_BASE_URL is not set")


def test_a_base_url_without_a_scheme_is_refused(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError, match="^FAULTLINE_BASE_URL must start with http"):
        load_settings({"FAULTLINE_BASE_URL": "faultline.example.com", "SECRET_KEY": "k"})


@pytest.mark.parametrize(("host", "expected"), [
    ("127.0.0.1", "http://127.0.0.1:8123"),
    ("::1", "http://[::1]:8123"),
    ("0.0.0.0", f"http://{socket.getfqdn()}:8123"),
])
def test_links_use_the_address_serve_listens_on(host, expected):
    assert served_address(host, 8123) == expected


@pytest.mark.parametrize(("name", "value"), [
    ("FAULTLINE_PDF_PAGE_SIZE", "A3"),
    ("FAULTLINE_PDF_TIMEOUT", "soon"),
    ("FAULTLINE_PDF_TIMEOUT", "0"),
    ("FAULTLINE_SHARE_RATE_LIMIT", "lots"),
    ("FAULTLINE_SHARE_GUESS_RATE_LIMIT", "10 per fortnight"),
    ("FAULTLINE_SIGNIN_ACCOUNT_RATE_LIMIT", "often"),
    ("FAULTLINE_SIGNUP", "anyone"),
    ("FAULTLINE_SMTP_URL", "mail.example.com"),
])
def test_cli_serve_refuses_a_bad_setting(runner, quiet_serve, name, value):
    result = runner.invoke(main, ["serve"], env={name: value})
    assert result.exit_code == 1
    assert only_line(result.output).startswith(f"Error: {name} must be ")


def test_pdf_and_share_settings_are_read(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    settings = load_settings(env={"FAULTLINE_PDF_PAGE_SIZE": "letter",
                                  "FAULTLINE_PDF_TIMEOUT": "12.5",
                                  "FAULTLINE_SHARE_RATE_LIMIT": "30 per minute",
                                  "FAULTLINE_RESULT_CACHE_DIR": str(tmp_path / "results")})
    assert (settings["PDF_PAGE_SIZE"], settings["PDF_TIMEOUT"]) == ("Letter", 12.5)
    assert settings["SHARE_RATE_LIMIT"] == "30 per minute"
    assert settings["RESULT_CACHE_DIR"] == tmp_path / "results"
