"""The audit log: answer changes are recorded with who, when, before and after."""

from __future__ import annotations

import pytest

from webapp.assessments.answers import AnswerInput, AnswerValue, save_answers
from webapp.audit.services import NOTE_EXCERPT_CHARS, audit_events, record_audit
from webapp.core.startup import get_content

QUESTION = "observe.structured-logs"


@pytest.fixture
def assessment(make_assessment, make_team, owner):
    return make_assessment(make_team(owner=owner), owner)


def save(app, db_session, assessment, user, value, base=0):
    with app.test_request_context():
        return save_answers(db_session, assessment, user, [AnswerInput(QUESTION, value, base)],
                            content=get_content())


def test_a_changed_answer_is_logged_with_who_before_and_after(
    app, db_session, assessment, owner
):
    save(app, db_session, assessment, owner, AnswerValue(("none",), None, "grep"))
    save(app, db_session, assessment, owner, AnswerValue(("some",), None, "grep"), base=1)
    events = audit_events(db_session, assessment)
    assert [e.action for e in events] == ["answer.changed", "answer.changed"]
    latest = events[0]
    assert latest.actor.name == "Olga Owner" and latest.target == f"system/{QUESTION}"
    assert latest.detail["before"]["choices"] == ["none"]
    assert latest.detail["after"] == {"choices": ["some"], "na_reason": None, "note": "grep"}
    assert events[1].detail["before"] == {"choices": [], "na_reason": None, "note": ""}


def test_an_unchanged_or_conflicting_save_logs_nothing(app, db_session, assessment, owner):
    value = AnswerValue(("none",), None, "")
    save(app, db_session, assessment, owner, value)
    save(app, db_session, assessment, owner, value, base=1)  # same value: nothing to log
    result = save(app, db_session, assessment, owner, AnswerValue(("some",)), base=0)
    assert result.conflicts
    assert len(audit_events(db_session, assessment)) == 1


def test_long_notes_are_logged_as_an_excerpt(app, db_session, assessment, owner):
    save(app, db_session, assessment, owner, AnswerValue(("none",), None, "x" * 3000))
    after = audit_events(db_session, assessment)[0].detail["after"]
    assert len(after["note"]) == NOTE_EXCERPT_CHARS and after["note_truncated"] is True


def test_events_can_be_filtered_by_kind_and_have_no_actor_for_the_system(
    db_session, assessment
):
    record_audit(db_session, assessment=assessment, actor=None, action="share.viewed",
                 target="share:1", detail={})
    record_audit(db_session, assessment=assessment, actor=None, action="answer.changed",
                 target="system/x", detail={})
    shares = audit_events(db_session, assessment, action_prefix="share.")
    assert [(e.action, e.actor) for e in shares] == [("share.viewed", None)]
