"""/healthz and /readyz."""

from __future__ import annotations

import pytest

from webapp.app import create_app
from webapp.core import migrate
from webapp.core.migrate import head_revision
from webapp.core.startup import StartupError


def test_healthz_says_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_readyz_is_ready_on_a_migrated_database(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ready", "schema": head_revision()}


def test_readyz_is_503_when_the_schema_falls_behind(fresh_database_url, make_app):
    migrate.upgrade(fresh_database_url)
    app = make_app(DATABASE_URL=fresh_database_url)
    migrate.downgrade(fresh_database_url, "base")
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["reason"] == f"database schema at empty, expected {head_revision()}"


def test_readyz_is_503_when_the_database_is_unreachable(app_config, make_app):
    unreachable = "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2"
    app = make_app(DATABASE_URL=unreachable, CHECK_PREREQUISITES=False)
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable", "reason": "database unreachable"}
    with pytest.raises(StartupError, match=r"^database unreachable \("):
        create_app({**app_config, "DATABASE_URL": unreachable})


def test_passing_probes_stay_out_of_the_info_log(client, caplog):
    import logging

    with caplog.at_level(logging.INFO, logger="webapp.access"):
        client.get("/healthz")
        client.get("/readyz")
        client.get("/")
    logged = [r.path for r in caplog.records if r.name == "webapp.access" and r.levelno >= 20]
    assert logged == ["/"]


def test_every_page_names_the_favicon_and_it_is_served(client):
    page = client.get("/signin").get_data(as_text=True)
    assert 'rel="icon" href="/static/img/favicon.svg"' in page
    assert client.get("/favicon.ico").headers["Location"].endswith("/static/img/favicon.svg")
    icon = client.get("/static/img/favicon.svg")
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
    icon.close()
