"""Properties of an honest verdict over the shipped questionnaire, both examples and generated
answers: unknown is never safe, blanks never flatter, better choices never make things worse.

The examples are checked exhaustively (every answer blanked, every answer set to "We don't
know"); Hypothesis covers generated answers with two workflows. Its runs are derandomized so
CI sees the same cases every time and a failure reproduces."""

from __future__ import annotations

import copy

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from webapp.domain import (
    Answer,
    Answers,
    SystemInfo,
    WorkflowAnswers,
    evaluate,
    load_answers,
    load_content,
)
from webapp.domain.findings import SEVERITY_WEIGHT
from webapp.domain.unknowns import UNSURE
from webapp.domain.upgrade import upgrade_answers

from .conftest import REPO

EXAMPLES = ["payments-platform.yaml", "internal-release-tooling.yaml", "payments-platform-v2.yaml"]
PICKS = 160  # one pick per system question and per question of each of the two workflows
PROPERTY = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
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


def _pick(info, n: int) -> Answer | None:
    """Pick `n` of a question: 0 leaves it blank; a multiple choice may get two choices."""
    choices = [c.id for c in info.question.choices]
    k = n % (len(choices) + 1)
    if not k:
        return None
    if info.question.type == "multi" and n > len(choices):
        return Answer.of(sorted({choices[k - 1], choices[k % len(choices)]}))
    return Answer.choice(choices[k - 1])


def _generated(shipped, picks: list[int]) -> Answers:
    """Answers to the shipped questionnaire from `picks`: the system's questions, then two
    workflows' (a pick of 0 leaves a question blank)."""
    index = shipped.index()
    sets = [index.system_ids, index.workflow_ids, index.workflow_ids]
    blocks: list[dict[str, Answer]] = [{}, {}, {}]
    it = iter(picks)
    for block, qids in zip(blocks, sets, strict=True):
        for qid, n in zip(qids, it, strict=False):
            answer = _pick(index.questions[qid], n)
            if answer is not None and index.questions[qid].question.type in ("single", "multi"):
                block[qid] = answer
    q = index.questionnaire
    flows = [WorkflowAnswers("first", blocks[1]), WorkflowAnswers("second", blocks[2])]
    return Answers(q.id, q.version, SystemInfo("Generated"), blocks[0], {}, flows)


def _answers(shipped, examples, data) -> Answers:
    """One of the examples or generated answers; every draw is made, whatever is used."""
    which = data.draw(st.integers(0, len(examples)))
    picks = data.draw(st.lists(st.integers(0, 12), min_size=PICKS, max_size=PICKS))
    if which == len(examples):
        return _generated(shipped, picks)
    return copy.deepcopy(examples[which])


def _places(answers: Answers) -> list[tuple[dict, str]]:
    """Every answered question: the dict holding it and its id."""
    places = [(answers.answers, q) for q in answers.answers]
    return places + [(w.answers, q) for w in answers.workflows for q in w.answers]


def _where(answers: Answers, data) -> tuple[dict, str]:
    """A random answered question: the dict holding it and its id."""
    places = _places(answers)
    n = data.draw(st.integers(0, 10_000))
    return places[n % len(places)] if places else (answers.answers, "")


def _scenarios(result):
    """(position, scenario result) of every scenario: the system's (-1), then each workflow's."""
    yield from ((-1, s) for s in result.scenarios)
    yield from ((w.position, s) for w in result.workflows for s in w.scenarios)


def _safe(result) -> set[tuple[int, str]]:
    return {(position, s.scenario.id) for position, s in _scenarios(result) if s.status == "safe"}


def _risky(result) -> set[tuple[str, int]]:
    """Findings plus open risks: everything the review does not call safe."""
    return {f.key for f in result.findings} | {(o.rule.id, o.position) for o in result.open_risks}


def _never_flatters(shipped, before, answers: Answers, holder: dict, qid: str, unsure: bool):
    """Blank `qid` in `holder` (or answer it "We don't know") and check that nothing reads
    safer: no scenario turns safe, no high or critical finding goes quiet without becoming an
    open risk, and the headline does not rise."""
    info = shipped.index(answers.questionnaire, answers.version).questions[qid]
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
    _never_flatters(shipped, before, answers, holder, qid, unsure)


@pytest.mark.parametrize("name", EXAMPLES)
@pytest.mark.parametrize("unsure", [False, True], ids=["blank", "unsure"])
def test_no_single_blank_or_dont_know_flatters_an_example(shipped, name, unsure) -> None:
    """Every answer of both examples, one at a time (the criticality of a weak workflow left
    open used to lift the payments example's headline from 62.5 to 63.5)."""
    example = load_answers(REPO / "examples" / name, shipped)
    before = evaluate(shipped, example)
    for k in range(len(_places(example))):
        answers = copy.deepcopy(example)
        holder, qid = _places(answers)[k]
        _never_flatters(shipped, before, answers, holder, qid, unsure)


def test_an_open_criticality_never_lifts_the_headline(shipped, examples) -> None:
    """A weak workflow rated high weighs more than an unrated one used to (1.3 against 1.0);
    leaving its criticality open must not make it weigh less: the headline takes the exposure
    that makes it lowest, and its findings are ranked as the most exposed workflow's."""
    payments = copy.deepcopy(examples[0])
    before = evaluate(shipped, payments)
    weakest = min(before.workflows, key=lambda w: w.headline)
    rated = payments.workflows[weakest.position].answers.pop("workflow.criticality")
    assert rated.choices == ("high",)
    after = evaluate(shipped, payments)
    assert after.overall <= before.overall == 62.5
    ranked = {f.key: f.priority for f in before.findings if f.position == weakest.position}
    for f in after.findings:
        if f.key in ranked:
            assert f.priority >= ranked[f.key]
    assert after.workflows[weakest.position].exposure == 1.6


def test_an_evaluation_keeps_no_state_that_changes_the_next(shipped, examples) -> None:
    """The same answers give the same review on content that has evaluated many others (its
    per-profile caches warm) as on freshly loaded content."""

    def summary(content, answers):
        r = evaluate(content, copy.deepcopy(answers))
        return (
            r.overall,
            r.fit.verdict,
            [(f.key, f.bucket, f.priority) for f in r.findings],
            [(w.position, s.scenario.id, s.status) for w in r.workflows for s in w.scenarios],
            [(o.rule.id, o.position) for o in r.open_risks],
            [(p.step, p.finding.key) for p in r.plan],
        )

    cases = [*examples] + [
        _generated(shipped, [(7 * k + j) % 13 for j in range(PICKS)]) for k in range(6)
    ]
    warm = [summary(shipped, a) for a in cases + cases[::-1]]
    assert warm[: len(cases)] == warm[len(cases) :][::-1]
    fresh = load_content(REPO)
    assert [summary(fresh, a) for a in cases] == warm[: len(cases)]


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
    scores = conditional_scores(compiled.score_ifs, answers, result.fit.flags, index)
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
    statuses = {(position, s.scenario.id): s.status for position, s in _scenarios(first)}
    for position, s in _scenarios(second):
        assert not (statuses[(position, s.scenario.id)] == "safe" and s.status == "unsafe")


def test_blanking_a_weak_layers_answers_never_lifts_the_cap(shipped, examples) -> None:
    """A layer below 25 holds the headline at 50; blanking its worst answers one by one raises
    the score of what is answered past 25, but the cap reads the layer with its open questions
    at 0, so the headline never rises."""
    payments = copy.deepcopy(examples[0])
    worst = {
        "contain.load-shedding": "nothing",
        "contain.fallbacks": "none",
        "contain.isolation": "shared",
        "contain.partial-failure-state": "spreads",
        "contain.automation-boundary": "none",
        "contain.authz-separation": "mixed",
    }
    payments.answers["contain.circuit-breakers"] = Answer.choice("all-critical")
    payments.answers.update({q: Answer.choice(c) for q, c in worst.items()})
    headline = evaluate(shipped, payments)
    assert headline.weak_layers == ("contain",) and headline.overall == 50.0
    for qid in list(worst)[:4]:
        del payments.answers[qid]
        result = evaluate(shipped, payments)
        assert result.overall <= headline.overall, f"blanking {qid} lifted the headline"
        assert "contain" in result.weak_layers
    contain = next(g for g in result.layers if g.id == "contain")
    assert contain.score > 25  # what is answered looks fine; the headline still does not
