"""The assessment services: start, save with optimistic concurrency, evaluate."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import update

from webapp.assessments import evaluation
from webapp.assessments import services as assessment_service
from webapp.assessments import workflows as workflow_service
from webapp.assessments.answers import AnswerInput, AnswerValue, save_answers
from webapp.assessments.evaluation import (
    QuestionnaireMissing,
    answers_for_domain,
    evaluate_assessment,
    finding_anchor,
    revision_key,
)
from webapp.assessments.models import Answer, Status
from webapp.core.services import ServiceError
from webapp.core.startup import get_content
from webapp.core.views import CACHE_KEY, result_cache
from webapp.teams.models import Role

Q = "contain.circuit-breakers"  # a single-choice question that allows N/A


@pytest.fixture
def assessment(make_assessment, make_team, owner):
    return make_assessment(make_team(owner=owner), owner)


def save(app, db_session, assessment, user, qid, value, base=0, workflow=None):
    with app.test_request_context():
        return save_answers(
            db_session, assessment, user, [AnswerInput(qid, value, base)], workflow=workflow,
            content=get_content()
        )


def test_start_pins_the_newest_questionnaire_version(assessment):
    assert assessment.questionnaire_id == "reliability-review"
    assert assessment.questionnaire_version == 2  # the newest (version 1 stays for old ones)
    assert assessment.status == Status.NOT_STARTED


def test_a_saved_answer_reaches_the_engine_and_bumps_the_revision(
    app, db_session, assessment, owner
):
    result = save(
        app,
        db_session,
        assessment,
        owner,
        "observe.structured-logs",
        AnswerValue(("none",), None, "grep on hosts"),
    )
    assert result.saved == ["observe.structured-logs"] and result.versions == {
        "observe.structured-logs": 1
    }
    assert assessment.revision == 1 and assessment.status == Status.IN_PROGRESS
    with app.test_request_context():
        answers = answers_for_domain(db_session, assessment, content=get_content())
        result = evaluate_assessment(db_session, assessment, result_cache())
    assert answers.answers["observe.structured-logs"].choices == ("none",)
    assert answers.notes == {"observe.structured-logs": "grep on hosts"}
    assert result.coverage.answered == 1
    assert result.system.name == "Payments API"


def test_evaluation_is_cached_per_revision(app, db_session, assessment, owner):
    with app.test_request_context():
        first = evaluate_assessment(db_session, assessment, result_cache())
        key = revision_key(assessment, content=get_content())
        assert evaluate_assessment(db_session, assessment, result_cache()) is first
        assert revision_key(assessment, content=get_content()) == key
    save(app, db_session, assessment, owner, Q, AnswerValue((), "No services"))
    with app.test_request_context():
        again = evaluate_assessment(db_session, assessment, result_cache())
        assert revision_key(assessment, content=get_content()) != key
    assert again is not first
    assert again.coverage.not_applicable == 1
    # other kinds (the results page's HTML) of an earlier test's assessment 1 may be there too
    folder = Path(app.config["RESULT_CACHE_DIR"])
    files = list(folder.glob(f"assessment-{assessment.id}.result.*"))
    assert len(files) == 1, "the older revision's file stays behind"


def test_another_process_reuses_the_result_without_evaluating(app, db_session, assessment,
                                                              monkeypatch):
    """The result is shared through the file cache: a process with an empty memory (here: the
    memory cleared) reads it instead of running the engine again."""
    with app.test_request_context():
        first = evaluate_assessment(db_session, assessment, result_cache())
        app.extensions.pop(CACHE_KEY)
        monkeypatch.setattr(evaluation.domain, "evaluate_result", _never)
        assert evaluate_assessment(db_session, assessment, result_cache()) == first


def _never(*_args, **_kwargs):
    raise AssertionError("evaluated again")


def test_a_missing_pinned_questionnaire_is_a_clear_error(app, db_session, assessment):
    assessment.questionnaire_version = 99
    with app.test_request_context(), pytest.raises(QuestionnaireMissing, match="version 99"):
        evaluate_assessment(db_session, assessment, result_cache())


def test_stale_save_with_a_different_value_is_a_conflict_with_both_values(
    app, db_session, assessment, owner, make_user
):
    save(app, db_session, assessment, owner, Q, AnswerValue(("none",)))
    other = make_user(name="Eddie Editor")
    result = save(app, db_session, assessment, other, Q, AnswerValue(("some",)))
    assert result.saved == []
    [conflict] = result.conflicts
    assert conflict.mine.choices == ("some",)
    assert conflict.theirs.value.choices == ("none",)
    assert conflict.theirs.updated_by == "Olga Owner" and conflict.theirs.version == 1
    stored = db_session.query(Answer).one()
    assert stored.choices == ["none"] and stored.version == 1


def test_stale_save_with_the_same_value_changes_nothing(app, db_session, assessment, owner):
    value = AnswerValue(("none",), None, "note")
    save(app, db_session, assessment, owner, Q, value)
    again = save(app, db_session, assessment, owner, Q, value)
    assert again.unchanged == [Q] and not again.conflicts
    assert assessment.revision == 1
    assert db_session.query(Answer).one().version == 1


def test_save_based_on_the_current_version_overwrites(app, db_session, assessment, owner):
    save(app, db_session, assessment, owner, Q, AnswerValue(("none",)))
    result = save(
        app, db_session, assessment, owner, Q, AnswerValue(("some",)), base=1
    )
    assert result.saved == [Q] and result.versions[Q] == 2


@pytest.mark.parametrize(
    ("qid", "value", "message"),
    [
        (Q, AnswerValue(("bogus",)), "not one of this question's choices"),
        ("observe.structured-logs", AnswerValue((), "n/a"), "cannot be marked not applicable"),
        (Q, AnswerValue((), "  "), "Say why"),
        (Q, AnswerValue(("none", "some")), "Choose one answer"),
        (Q, AnswerValue(("none",), None, "x" * 20_001), "limited to 20,000"),
        ("no.such-question", AnswerValue(("none",)), "no system question"),
        ("workflow.trigger", AnswerValue(("schedule",)), "no system question"),
    ],
)
def test_invalid_answers_are_refused_with_a_reason(
    app, db_session, assessment, owner, qid, value, message
):
    with pytest.raises(ServiceError, match=message):
        save(app, db_session, assessment, owner, qid, value)
    assert db_session.query(Answer).count() == 0


def test_workflow_answers_and_finding_anchor(app, db_session, assessment, owner):
    with app.test_request_context():
        workflow = workflow_service.add_workflow(db_session, assessment, name="Nightly export",
                                                 content=get_content())
    save(
        app,
        db_session,
        assessment,
        owner,
        "workflow.trigger",
        AnswerValue(("schedule",)),
        workflow=workflow,
    )
    with app.test_request_context():
        answers = answers_for_domain(db_session, assessment, content=get_content())
    assert answers.workflows[0].name == "Nightly export"
    assert answers.workflows[0].answers["workflow.trigger"].choices == ("schedule",)
    assert finding_anchor("a.b", 2) == "finding-a.b--2"
    assert finding_anchor("a.b", -1) == "finding-a.b"


def test_dashboard_lists_only_the_users_teams(
    app, db_session, assessment, owner, make_user, make_team
):
    stranger = make_user()
    make_team(name="Other", owner=stranger)
    with app.test_request_context():
        rows = assessment_service.dashboard(db_session, owner)
        assert [r.assessment.name for r in rows] == ["Payments API"]
        assert rows[0].role == Role.OWNER and rows[0].assessment.team.name == "Payments"
        assert assessment_service.dashboard(db_session, stranger) == []
        assert assessment_service.dashboard(db_session, owner, search="paym")
        assert assessment_service.dashboard(db_session, owner, search="zzz") == []


def test_a_write_that_loses_the_race_after_its_read_is_a_conflict(
    app, db_session, assessment, owner
):
    """The UPDATE checks the version itself: a change committed between read and write wins."""
    save(app, db_session, assessment, owner, Q, AnswerValue(("none",)))
    row = db_session.query(Answer).one()
    # Someone else's write lands behind this session's back (its loaded row stays at v1).
    db_session.execute(
        update(Answer)
        .where(Answer.id == row.id)
        .values(version=2, choices=["all-critical"])
        .execution_options(synchronize_session=False)
    )
    assert row.version == 1
    result = save(
        app, db_session, assessment, owner, Q, AnswerValue(("some",)), base=1
    )
    assert result.saved == []
    [conflict] = result.conflicts
    assert conflict.theirs.version == 2 and conflict.theirs.value.choices == ("all-critical",)
    db_session.expire_all()
    assert db_session.query(Answer).one().choices == ["all-critical"]


def test_a_submit_token_is_claimed_once_and_forgotten_after_a_week(app, db_session, owner):
    from datetime import timedelta

    from webapp.assessments import submissions
    from webapp.assessments.models import FormSubmission
    from webapp.core.db import utcnow

    token = submissions.new_token()
    assert submissions.claim(db_session, token, owner) is True
    assert submissions.claim(db_session, token, owner) is False
    assert submissions.claim(db_session, "short", owner) is False
    db_session.get(FormSubmission, token).created_at = utcnow() - timedelta(days=8)
    db_session.flush()
    assert submissions.claim(db_session, submissions.new_token(), owner) is True
    assert db_session.get(FormSubmission, token) is None


def test_a_review_without_any_workflow_is_not_complete(app, db_session, assessment, owner):
    with app.test_request_context():
        index = get_content().index(
            assessment.questionnaire_id, assessment.questionnaire_version)
        inputs = [AnswerInput(qid, AnswerValue((index.questions[qid].question.choices[0].id,)), 0)
                  for qid in index.system_ids]
        save_answers(db_session, assessment, owner, inputs, content=get_content())
    assert assessment.status == Status.IN_PROGRESS
    with app.test_request_context():
        workflow_service.add_workflow(db_session, assessment, name="Nightly export",
                                      content=get_content())
        assessment_service.mark_changed(db_session, assessment, content=get_content())
    assert assessment.status == Status.IN_PROGRESS  # the workflow's questions are still open


def test_counts_and_progress_take_a_choice_or_na_as_answered_and_a_lone_note_not(
    app, db_session, assessment, owner
):
    """Counted by the database (a save's write transaction stays short): an answer kept only
    for its note is not answered; not applicable is."""
    from webapp.assessments.progress import answered_by_scope

    save(app, db_session, assessment, owner, "observe.structured-logs",
         AnswerValue((), None, "ask Bo"))
    save(app, db_session, assessment, owner, Q, AnswerValue((), "No services"))
    save(app, db_session, assessment, owner, "observe.correlated-metrics",
         AnswerValue(("none",), None, ""))
    with app.test_request_context():
        assert assessment_service.count_answered(db_session, assessment) == 2
        assert answered_by_scope(db_session, assessment) == {
            "system": {Q, "observe.correlated-metrics"}}
    assert assessment.status == Status.IN_PROGRESS
