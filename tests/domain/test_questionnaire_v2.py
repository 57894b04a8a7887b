"""Questionnaire version 2: the upgrade mapping, its relevance conditions and question counts."""

from __future__ import annotations

from pathlib import Path

import pytest

from . import v2_counts as v2

EXAMPLES = sorted((v2.ROOT / "examples").glob("*.yaml"))


def _questions(q: dict) -> dict[str, dict]:
    return {x["id"]: x for s in q["sections"] for x in s["questions"]}


def _order(q: dict) -> list[str]:
    return [x["id"] for s in q["sections"] for x in s["questions"]]


def _read(cond: dict) -> set[str]:
    if "all" in cond or "any" in cond:
        return set().union(*(_read(c) for c in cond.get("all", cond.get("any"))))
    if "not" in cond:
        return _read(cond["not"])
    return {cond["q"]} if "q" in cond else set()


def test_every_v1_question_is_mapped_or_retired_on_purpose() -> None:
    q1, q2 = v2.load(v2.V1), v2.load()
    mapping = q2["upgrade"]["questions"]
    assert q2["upgrade"]["from"] == 1
    missing = sorted(set(_questions(q1)) - set(mapping))
    assert not missing, f"version 1 questions neither mapped nor retired: {missing}"
    for old, how in mapping.items():
        assert old in _questions(q1), f"the mapping names '{old}', which version 1 never asked"
        if isinstance(how, dict) and "retired" in how:
            assert how["retired"].strip(), f"'{old}' is retired without saying why"


def test_carried_questions_keep_every_choice_so_no_answer_is_lost() -> None:
    q1, q2 = _questions(v2.load(v2.V1)), _questions(v2.load())
    for old, how in v2.load()["upgrade"]["questions"].items():
        target = old if how == "same" else how.get("to")
        if target is None:
            continue
        new_choices = {str(c["id"]) for c in q2[target]["choices"]}
        choice_map = {} if how == "same" else how.get("choices", {})
        for choice in q1[old]["choices"]:
            cid = str(choice["id"])
            assert str(choice_map.get(cid, cid)) in new_choices, (old, cid)
        assert q1[old].get("type", "single") == q2[target].get("type", "single")


def test_every_condition_reads_only_earlier_questions_and_gives_its_reason() -> None:
    q = v2.load()
    order = {qid: k for k, qid in enumerate(_order(q))}
    for section in q["sections"]:
        for question in section["questions"]:
            if "ask_if" not in question:
                assert "ask_if_reason" not in question, question["id"]
                continue
            assert question.get("ask_if_reason", "").strip(), question["id"]
            for read in _read(question["ask_if"]):
                assert order[read] < order[question["id"]], (question["id"], read)


def test_conditions_hide_what_cannot_apply_and_keep_what_can() -> None:
    q = v2.load()
    system = {"fit.customer-facing": "yes"}
    never_retries = {
        "workflow.trigger": ["api-call"],
        "retries.automatic": "no",
        "workflow.external-systems": "none",
        "workflow.side-effects": ["read-only"],
    }
    asked = set(v2.asked(q, system, never_retries))
    for hidden in (
        "rate-limiting.budget",
        "state-management.schedule-gaps",
        "change-detection.converges",
    ):
        assert hidden not in asked, hidden
    queue_job = {
        "workflow.trigger": ["queue-message", "schedule"],
        "retries.automatic": "yes-backoff",
        "workflow.external-systems": "one",
        "workflow.side-effects": ["payments"],
    }
    asked = set(v2.asked(q, system, queue_job))
    for shown in (
        "rate-limiting.budget",
        "state-management.schedule-gaps",
        "change-detection.converges",
        "verification.tested",
    ):
        assert shown in asked, shown
    # a blank description hides nothing: unknown never narrows the review
    assert len(v2.asked(q, {}, {})) == len(q["sections"][-1]["questions"])


def _as_of_v2(item: dict) -> dict | None:
    """The condition version 2 reads (None when the item ends with version 1)."""
    if item.get("since", 1) > 2 or (item.get("until") or 2) < 2:
        return None
    revised = [r for r in item.get("revised", []) if r["since"] <= 2]
    return revised[-1]["when"] if revised else item["when"]


def test_every_rule_and_scenario_of_version_2_reads_version_2_questions() -> None:
    import yaml

    known = set(_questions(v2.load()))
    read = 0
    for path in sorted((v2.ROOT / "rules").glob("*.yaml")):
        text = yaml.safe_load(path.read_text())
        items = list(text.get("rules", []))
        items += [o for s in text.get("scenarios", []) if s.get("since", 1) <= 2
                  and (s.get("until") or 2) >= 2 for o in s["outcomes"]]
        conds = [c for c in map(_as_of_v2, items) if c is not None]
        read += len(conds)
        for cond in conds:
            assert _read(cond) <= known, (path.name, _read(cond) - known)
    assert read > 200


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_relevance_hides_questions_in_every_example_workflow(path: Path) -> None:
    figures = v2.counts(path)
    per_workflow_v2 = len(v2.load()["sections"][-1]["questions"])
    # a scheduled workflow that calls other systems is asked everything; request-driven ones
    # are not asked about change detection or scheduled-run gaps
    assert all(n <= per_workflow_v2 for n in figures["workflows"].values())
    assert any(n < per_workflow_v2 for n in figures["workflows"].values())
    assert figures["system"] > 0


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_workflow_asks_at_most_18_questions(path: Path) -> None:
    """Issue 14 asks at most 20 for a typical workflow; 18 leaves the system part 46 of the 100
    the payments system with three workflows may ask."""
    figures = v2.counts(path)
    assert figures["workflows"] and max(figures["workflows"].values()) <= 18, figures


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_the_system_with_three_workflows_asks_at_most_100(path: Path) -> None:
    figures = v2.counts(path)
    three = figures["system"] + sum(sorted(figures["workflows"].values())[-3:])
    assert three <= 100, figures


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_the_counts_are_what_the_engine_asks(shipped, path: Path) -> None:
    """The count helper agrees with the engine's relevance on each example carried to v2."""
    from webapp.domain import load_answers
    from webapp.domain.relevance import hidden
    from webapp.domain.upgrade import upgrade_answers

    written = load_answers(path, shipped)
    newest = shipped.questionnaire()
    answers = written if written.version == newest.version else upgrade_answers(
        newest, shipped.questionnaire(version=1), written)[0]
    compiled = shipped.engine()
    index = compiled.index
    system_ids = [q for q, i in index.questions.items() if not i.workflow]
    gone = hidden(compiled, answers.answers)
    figures = v2.counts(path)
    assert figures["system"] == len([q for q in system_ids if q not in gone])
    for flow in answers.workflows:
        merged = {**answers.answers, **flow.answers}
        gone = set(hidden(compiled, merged)) - set(system_ids)
        assert figures["workflows"][flow.name] == len(index.workflow_ids) - len(gone)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_the_system_part_asks_at_most_47_questions(path: Path) -> None:
    """Issue 14: a team answers the system part in well under half an hour (45 merged questions
    plus the error-budget policy and the toil budget, asked on their own)."""
    assert 0 < v2.counts(path)["system"] <= 47


def test_merged_version_1_answers_are_derived_and_none_is_lost(shipped) -> None:
    """The payments example on version 1, carried to version 2: every merged system answer
    decides its version 2 question (the weakest part wins), none is dropped, notes travel."""
    from webapp.domain import load_answers
    from webapp.domain.upgrade import upgrade_answers

    written = load_answers(v2.ROOT / "examples" / "payments-platform.yaml", shipped)
    answers, report = upgrade_answers(
        shipped.questionnaire(), shipped.questionnaire(version=1), written
    )
    chosen = {q: a.choices for q, a in answers.answers.items()}
    # practised, escalated automatically, but some mitigations wait for one person
    assert chosen["respond.incident-process"] == ("defined",)
    # blameless reviews whose action items quietly expire
    assert chosen["respond.postmortems"] == ("actions-lost",)
    # correlated signals, traces that stop at the queue
    assert chosen["observe.correlated-metrics"] == ("traces-partial",)
    assert chosen["respond.emergency-levers"] == ("kill-switch",)
    assert "observe.tracing" not in chosen and "respond.escalation" not in chosen
    assert not [c for c in report.dropped if c.workflow is None]
    assert written.notes["observe.tracing"] in answers.notes["observe.correlated-metrics"]
    merged = {c.old for c in report.carried if c.workflow is None and c.old != c.new}
    assert {"respond.escalation", "respond.responder-access", "respond.stakeholder-comms",
            "repeat.action-item-closure", "observe.tracing", "evolve.feature-flags"} <= merged


def test_a_blank_part_leaves_the_merged_question_to_be_answered_again(shipped) -> None:
    """Only the incident process answered: it never derives a practised incident path."""
    from webapp.domain.answers import Answer, Answers, SystemInfo
    from webapp.domain.upgrade import upgrade_answers

    old = Answers("reliability-review", 1, SystemInfo("Test"),
                  {"respond.incident-process": Answer.choice("practised"),
                   "respond.escalation": Answer.choice("automatic")}, {}, [], False)
    answers, report = upgrade_answers(
        shipped.questionnaire(), shipped.questionnaire(version=1), old
    )
    assert "respond.incident-process" not in answers.answers
    assert {c.old for c in report.dropped} == {"respond.incident-process", "respond.escalation"}
    assert all("answer it again" in c.why for c in report.dropped)


def test_the_error_budget_policy_and_the_toil_budget_are_asked_on_their_own() -> None:
    """Issue 14 asks for both split from the SLO question and the operations review: the policy
    is hidden only where there are no written objectives, the toil budget is always asked."""
    q = v2.load()
    for slos, shown in (("none", False), ("informal", False), ("static", True),
                        ("revisited", True), ("unsure", True), (None, True)):
        system = {} if slos is None else {"repeat.slos": slos}
        asked = set(v2.asked(q, system))
        assert ("repeat.error-budget-policy" in asked) is shown, slos
        assert "repeat.toil-budget" in asked
    slos_choices = {c["id"] for c in _questions(q)["repeat.slos"]["choices"]}
    assert "no-policy" not in slos_choices


def test_a_spent_budget_without_policy_and_unmeasured_toil_are_findings(shipped) -> None:
    from webapp.domain.checks import rule_fires

    assert rule_fires(shipped, "repeat.no-error-budget-policy",
                      _answers({"repeat.slos": "revisited",
                                "repeat.error-budget-policy": "nothing"}))
    assert not rule_fires(shipped, "repeat.no-error-budget-policy",
                          _answers({"repeat.slos": "revisited",
                                    "repeat.error-budget-policy": "enforced"}))
    assert rule_fires(shipped, "repeat.toil-unmeasured", _answers({"repeat.toil-budget": "none"}))
    assert not rule_fires(shipped, "repeat.toil-unmeasured",
                          _answers({"repeat.toil-budget": "capped",
                                    "repeat.operations-review": "none"}))


def _answers(raw: dict) -> dict:
    from webapp.domain.answers import Answer

    return {q: Answer.choice(c) for q, c in raw.items()}


def _fired(shipped, version: int, answers: dict, area: str) -> set[str]:
    """Rules of `area` (a pattern or layer) that fire on raw answers in `version`."""
    from webapp.domain.lint import flags_of

    compiled = shipped.compiled[("reliability-review", version)]
    given = {q: a if not isinstance(a, str) else _answers({q: a})[q] for q, a in answers.items()}
    flags = flags_of(compiled.index, given)
    return {r.id for r in shipped.rules_for(compiled)
            if r.area == area and not r.contradiction and compiled.rules[r.id](given, flags)}


# version 1 answers that each fire a retry rule of version 1 (a fixed delay at volume, silent
# exhaustion, a deny-list, stacked layers); in version 2 they become one middle answer
RETRY_GAPS = [
    {"retries.automatic": "yes-fixed", "retries.bounded": "bounded-escalates",
     "retries.retryable-only": "retryable-only", "retries.layers": "single-layer"},
    {"retries.automatic": "yes-backoff", "retries.bounded": "bounded-logged",
     "retries.retryable-only": "retryable-only", "retries.layers": "single-layer"},
    {"retries.automatic": "yes-backoff", "retries.bounded": "bounded-escalates",
     "retries.retryable-only": "deny-list", "retries.layers": "single-layer"},
    {"retries.automatic": "yes-backoff", "retries.bounded": "bounded-escalates",
     "retries.retryable-only": "retryable-only", "retries.layers": "unknown-stack"},
]


@pytest.mark.parametrize("volume", ["daily", "continuous"])
@pytest.mark.parametrize("old", RETRY_GAPS, ids=lambda o: "-".join(o.values()))
def test_a_retry_gap_version_1_found_is_still_a_finding_in_version_2(shipped, old, volume):
    """Merging the retry questions must not hide a gap: the derived answer has a retry finding."""
    from webapp.domain.upgrade import derivations, derive

    context = {"workflow.volume": volume, "idempotency.rerun-safe": "yes"}
    before = _fired(shipped, 1, {**context, **old}, "retries")
    derived = derive(derivations(shipped.questionnaire(), shipped.questionnaire(version=1))[
        "retries.automatic"], _answers(old))
    assert derived is not None
    after = _fired(shipped, 2, {**context, "retries.automatic": derived}, "retries")
    # version 1 flagged a fixed delay only at volume; every other gap at any volume
    assert before or (volume == "daily" and old["retries.automatic"] == "yes-fixed")
    assert after or not before, (before, derived.choices, after)


def test_every_retry_answer_but_the_best_and_none_has_a_finding_in_version_2(shipped) -> None:
    index = shipped.index()
    for choice in index.questions["retries.automatic"].question.choices:
        found = _fired(shipped, 2, {"retries.automatic": choice.id, "workflow.volume": "daily",
                                    "idempotency.rerun-safe": "yes"}, "retries")
        assert bool(found) == (choice.id not in ("yes-backoff", "no")), (choice.id, found)


@pytest.mark.parametrize(("old", "question", "area"), [
    ({"contain.partial-failure-state": "reconciled", "contain.authz-separation": "mostly"},
     "contain.partial-failure-state", "contain"),
    ({"evolve.backward-compatibility": "convention", "evolve.migrations": "untested"},
     "evolve.backward-compatibility", "evolve"),
    ({"state-management.resume": "restart-safe", "state-management.progress-store": "none"},
     "state-management.resume", "state-management"),
])
def test_a_merged_middle_answer_keeps_the_finding_of_its_weaker_part(shipped, old, question,
                                                                     area) -> None:
    """The weaker part decides the merged answer, so its finding survives the upgrade."""
    from webapp.domain.upgrade import derivations, derive

    steps = derivations(shipped.questionnaire(), shipped.questionnaire(version=1))[question]
    derived = derive(steps, _answers(old))
    before = _fired(shipped, 1, old, area)
    after = _fired(shipped, 2, {question: derived}, area)
    assert before and after, (before, derived, after)
