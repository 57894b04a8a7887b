"""Properties of an honest verdict over the shipped questionnaire, both examples and generated
answers: unknown is never safe, blanks never flatter, better choices never make things worse."""

from __future__ import annotations

import copy

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from webapp.domain import Answer, Answers, SystemInfo, WorkflowAnswers, evaluate, load_answers
from webapp.domain.findings import SEVERITY_WEIGHT
from webapp.domain.unknowns import UNSURE
from webapp.domain.upgrade import upgrade_answers

from .conftest import REPO

EXAMPLES = ["payments-platform.yaml", "internal-release-tooling.yaml"]
PROPERTY = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture(scope="module")
def examples(shipped) -> list[Answers]:
    """The shipped examples as written (version 1) and carried to the newest version."""
    written = [load_answers(REPO / "examples" / name, shipped) for name in EXAMPLES]
    newest = shipped.questionnaire()
    carried = [
        upgrade_answers(newest, shipped.questionnaire(a.questionnaire, a.version), a)[0]
        for a in written
        if a.version != newest.version
    ]
    return written + carried


def _generated(shipped, picks: list[int]) -> Answers:
    """Answers to every single-choice question of the shipped questionnaire, from `picks`
    (0 leaves a question blank)."""
    index = shipped.index()
    pick = {}
    for (qid, info), n in zip(index.questions.items(), picks, strict=False):
        choices = info.question.choices
        if info.question.type == "single" and n % (len(choices) + 1):
            pick[qid] = Answer.choice(choices[n % (len(choices) + 1) - 1].id)
    system = {q: a for q, a in pick.items() if not index.questions[q].workflow}
    flow = {q: a for q, a in pick.items() if index.questions[q].workflow}
    q = index.questionnaire
    flows = [WorkflowAnswers("wf", flow)]
    return Answers(q.id, q.version, SystemInfo("Generated"), system, {}, flows)


def _answers(shipped, examples, data) -> Answers:
    """One of the examples or generated answers; every draw is made, whatever is used."""
    which = data.draw(st.integers(0, len(examples)))
    picks = data.draw(st.lists(st.integers(0, 12), min_size=120, max_size=120))
    if which == len(examples):
        return _generated(shipped, picks)
    return copy.deepcopy(examples[which])


def _where(answers: Answers, data) -> tuple[dict, str]:
    """A random answered question: the dict holding it and its id."""
    places = [(answers.answers, q) for q in answers.answers]
    places += [(w.answers, q) for w in answers.workflows for q in w.answers]
    n = data.draw(st.integers(0, 10_000))
    return places[n % len(places)] if places else (answers.answers, "")


def _safe(result) -> set[tuple[int, str]]:
    return {
        (w.position, s.scenario.id)
        for w in result.workflows
        for s in w.scenarios
        if s.status == "safe"
    }


def _risky(result) -> set[tuple[str, int]]:
    """Findings plus open risks: everything the review does not call safe."""
    return {f.key for f in result.findings} | {(o.rule.id, o.position) for o in result.open_risks}


@given(data=st.data())
@PROPERTY
def test_blank_or_dont_know_never_makes_anything_safer_or_lifts_the_headline(
    shipped, examples, data
) -> None:
    answers = _answers(shipped, examples, data)
    holder, qid = _where(answers, data)
    unsure = data.draw(st.booleans())
    if not qid:
        return
    before = evaluate(shipped, answers)
    info = shipped.index().questions[qid]
    if unsure and UNSURE in info.labels:
        holder[qid] = Answer.choice(UNSURE)
    else:
        del holder[qid]
    after = evaluate(shipped, answers)
    assert _safe(after) <= _safe(before), f"{qid} made a scenario safe"
    serious = {
        (f.rule.id, f.position) for f in before.findings if f.rule.severity in ("critical", "high")
    }
    assert serious <= _risky(after), f"{qid} silenced a high or critical risk"
    if not info.question.criterion:  # a fit answer sets the profile's weights, by design
        assert after.overall <= before.overall, f"{qid} lifted the headline score"


def _weight(result) -> int:
    return sum(SEVERITY_WEIGHT[f.rule.severity] for f in result.findings)


def _effective(result, position: int, qid: str) -> int | None:
    """The score a workflow or the system gives `qid`, conditional scores included."""
    from webapp.domain.scoring import conditional_scores

    compiled, index = result.compiled, result.compiled.index
    answers = (
        result.answers.answers
        if position < 0
        else {**result.answers.answers, **result.answers.workflows[position].answers}
    )
    answer = answers.get(qid)
    if answer is None or not answer.selected:
        return None
    scores = conditional_scores(compiled.score_ifs, answers, result.fit.flags)
    return scores.get(qid, index.questions[qid].score_of(answer.selected))


@given(data=st.data())
@PROPERTY
def test_a_better_choice_never_adds_worse_findings_raises_risk_or_turns_a_scenario_unsafe(
    shipped, examples, data
) -> None:
    answers = _answers(shipped, examples, data)
    index = shipped.index(answers.questionnaire, answers.version)
    flows = answers.workflows
    position = data.draw(st.integers(-1, 8))
    position = position if position < len(flows) else -1
    holder = answers.answers if position < 0 else flows[position].answers
    scored = [
        q
        for q, i in index.questions.items()
        if i.scored and i.question.type == "single" and i.workflow == (position >= 0)
    ]
    qid = scored[data.draw(st.integers(0, 10_000)) % len(scored)]
    choices = [c.id for c in index.questions[qid].question.choices if c.id != UNSURE]
    i, j = data.draw(st.integers(0, 100)) % len(choices), data.draw(st.integers(0, 100))
    a, b = choices[i], choices[(i + 1 + j % (len(choices) - 1)) % len(choices)]
    holder[qid] = Answer.choice(a)
    first = evaluate(shipped, answers)
    holder[qid] = Answer.choice(b)
    second = evaluate(shipped, answers)
    if _effective(second, position, qid) <= _effective(first, position, qid):
        first, second = second, first  # make `second` the better choice
    if _effective(second, position, qid) == _effective(first, position, qid):
        return
    contradiction = [f for r in (first, second) for f in r.findings if f.rule.contradiction]
    if contradiction:
        return  # answers that contradict each other say nothing about better or worse
    assert _weight(second) <= _weight(first)
    statuses = {(w.position, s.scenario.id): s.status for w in first.workflows for s in w.scenarios}
    for w in second.workflows:
        for s in w.scenarios:
            assert not (statuses[(w.position, s.scenario.id)] == "safe" and s.status == "unsafe")
