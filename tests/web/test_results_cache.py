"""The results page's content is rendered once per state and reused (webapp/results/views.py
`show`): whatever a user changes shows on the next view, each role sees its own controls and
each session its own CSRF token, and another process reuses the HTML from the shared cache."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from tests.factories import PASSWORD
from tests.tracking.support import CLEARING, QUESTION, RULE
from webapp.core.views import CACHE_KEY
from webapp.results import views as results_view

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
EDITOR_LINK, VIEWER_LINK = "Change its tracking", "Its tracking and comments"


@pytest.fixture
def renders(monkeypatch) -> list[int]:
    """Counts how often the page's content is rendered (not taken from the cache)."""
    counted: list[int] = []
    render = results_view._body

    def counting(*args, **kwargs):
        counted.append(1)
        return render(*args, **kwargs)

    monkeypatch.setattr(results_view, "_body", counting)
    return counted


def results(client, assessment) -> str:
    response = client.get(f"/assessments/{assessment.id}/results")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def card(page: str, rule: str = RULE) -> str:
    """The finding card of `rule` (a system finding) on the page."""
    return page.split(f'id="finding-{rule}"')[1].split("</article>")[0]


def tracking_url(assessment, rule: str = RULE) -> str:
    return f"/assessments/{assessment.id}/plan/findings/{rule}"


def without_token(page: str) -> str:
    return TOKEN.sub("", page)


def test_a_second_view_reuses_the_content_and_renders_only_the_frame(client, login, people,
                                                                      small, renders):
    login(people["viewer"])
    first, second = results(client, small), results(client, small)
    assert len(renders) == 1
    assert without_token(first) == without_token(second)
    assert f'id="finding-{RULE}"' in second and "Vi" in second  # the frame: who is signed in


def test_an_answer_saved_through_autosave_shows_on_the_next_view(client, login, people, small):
    login(people["editor"])
    assert f'id="finding-{RULE}"' in results(client, small)
    saved = client.post(f"/assessments/{small.id}/answers",
                        data={"scope": "system", "question": QUESTION,
                              f"{QUESTION}-choice": CLEARING, f"{QUESTION}-version": "1"},
                        headers={"Accept": "application/json"})
    assert saved.get_json()["status"] == "saved"
    assert f'id="finding-{RULE}"' not in results(client, small)


def test_a_tracking_change_shows_on_the_next_view(client, login, db_session, people, small):
    login(people["editor"])
    before = results(client, small)
    assert "no owner yet" in card(before) and "In progress" not in card(before)
    response = client.post(tracking_url(small), data={"status": "in_progress",
                                                      "owner": people["viewer"].id})
    assert response.status_code == 302
    after = results(client, small)
    assert "In progress" in card(after) and "Vi" in card(after)
    assert "In progress</span> 1" in after.split('aria-label="Plan tracking"')[1]
    # the owner renames their account: the card says the new name at once
    people["viewer"].name = "Vivian Reyes"
    db_session.flush()
    assert "Vivian Reyes" in card(results(client, small))


def test_a_due_date_turns_overdue_when_the_day_passes(client, login, people, small,
                                                      monkeypatch):
    login(people["editor"])
    tomorrow = datetime.now(UTC).date() + timedelta(days=1)
    client.post(tracking_url(small), data={"status": "planned", "due_date": tomorrow.isoformat()})
    assert "track-late" not in card(results(client, small))

    class Later(datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime.now(tz) + timedelta(days=3)

    monkeypatch.setattr(results_view, "datetime", Later)
    assert "track-late\">overdue" in card(results(client, small))


def test_a_new_milestone_shows_on_the_next_view(client, login, people, small):
    login(people["editor"])
    assert "Milestones (1)" not in results(client, small)
    form = client.get(f"/assessments/{small.id}/milestones").get_data(as_text=True)
    token = form.split('name="submit_token" type="hidden" value="')[1].split('"')[0]
    created = client.post(f"/assessments/{small.id}/milestones",
                          data={"name": "Q3 review", "note": "", "submit_token": token})
    assert created.status_code == 302
    page = results(client, small)
    assert "Milestones (1)" in page and "Compare with the last milestone" in page


def test_each_role_sees_its_own_controls_from_the_same_state(client, login, people, small):
    login(people["editor"])
    editor = results(client, small)
    client.post("/signout")
    login(people["viewer"])
    viewer = results(client, small)
    assert EDITOR_LINK in card(editor) and VIEWER_LINK not in card(editor)
    assert VIEWER_LINK in card(viewer) and EDITOR_LINK not in card(viewer)
    assert "Audit log</a>" in editor and "Audit log</a>" not in viewer
    client.post("/signout")
    login(people["editor"])
    assert EDITOR_LINK in card(results(client, small))


def test_a_role_change_shows_the_new_controls_at_once(client, login, people, small):
    login(people["editor"])
    assert EDITOR_LINK in card(results(client, small))
    client.post("/signout")
    login(people["owner"])
    changed = client.post(f"/teams/{people['team'].id}/members/{people['editor'].id}/role",
                          data={"role": "viewer"})
    assert changed.status_code == 302
    client.post("/signout")
    login(people["editor"])
    page = results(client, small)
    assert VIEWER_LINK in card(page) and EDITOR_LINK not in card(page)


def test_a_team_rename_shows_on_the_next_view(client, login, db_session, people, small):
    login(people["viewer"])
    assert "Renamed team" not in results(client, small)
    people["team"].name = "Renamed team"
    db_session.flush()
    header = results(client, small).split('class="page-header results-header"')[1]
    assert "Renamed team" in header.split("</div>")[0]


def test_each_session_gets_its_own_csrf_token_and_its_forms_still_post(app, people, small):
    """The content and the frame are shared; the sign-out form carries the session's own
    token, also for one person signed in from two browsers."""
    browsers = []
    for who in ("editor", "editor", "viewer"):
        browser = app.test_client()
        signed_in = browser.post("/signin", data={"email": people[who].email,
                                                  "password": PASSWORD})
        assert signed_in.status_code == 302
        browsers.append((browser, TOKEN.search(results(browser, small)).group(1)))
    (laptop, laptop_token), (phone, phone_token), (viewer, viewer_token) = browsers
    assert len({laptop_token, phone_token, viewer_token}) == 3
    for browser, other in ((laptop, phone_token), (laptop, viewer_token)):
        refused = browser.post("/signout", data={"csrf_token": other}, csrf=False)
        assert refused.status_code == 400  # another session's token is refused
    for browser, own in browsers:
        assert browser.post("/signout", data={"csrf_token": own}, csrf=False).status_code == 302


def test_the_frame_shows_flashed_messages_once_and_the_readers_new_name(
        client, login, db_session, people, small):
    login(people["viewer"])
    assert "Vi</a>" in results(client, small)
    with client.session_transaction() as browser:
        browser["_flashes"] = [("success", "Saved just now.")]
    assert "Saved just now." in results(client, small)
    assert "Saved just now." not in results(client, small)
    people["viewer"].name = "Vivian Reyes"
    db_session.flush()
    page = results(client, small)
    assert "Vivian Reyes</a>" in page and "Vi</a>" not in page


def test_another_process_reuses_the_content_from_the_shared_cache(app, client, login, people,
                                                                  small, renders):
    login(people["viewer"])
    first = results(client, small)
    app.extensions.pop(CACHE_KEY)  # as in a fresh process: nothing kept in memory
    second = results(client, small)
    assert len(renders) == 1 and without_token(second) == without_token(first)


def test_content_cached_by_other_code_is_never_served(client, login, people, small, renders,
                                                      monkeypatch):
    """The key holds a digest of the app's modules and templates: after a deploy, HTML in
    the shared cache from the version before is rendered anew."""
    login(people["viewer"])
    results(client, small)
    monkeypatch.setattr(results_view, "code_version", lambda: "the next release")
    results(client, small)
    assert len(renders) == 2

