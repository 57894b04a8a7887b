"""System-level scenarios (issue 14): a zone lost, twice the peak traffic, an expired
certificate... happen to the whole system, so they are evaluated and reported once for the
system, never repeated under each workflow; unknown is never safe for them either."""

from __future__ import annotations

import json

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from webapp.cli import main
from webapp.domain import Answer, Answers, SystemInfo, WorkflowAnswers, evaluate, load_answers
from webapp.domain.lint import states
from webapp.domain.result_build import evaluate_result
from webapp.domain.result_json import result_from_dict, result_to_dict, result_to_json

from .conftest import REPO

V2_EXAMPLE = REPO / "examples" / "payments-platform-v2.yaml"
#: answers under which a zone loss is survived (see rules/scenarios.yaml, zone-lost)
ZONE_SAFE = {
    "contain.failure-domains": "multi-exercised",
    "contain.health-checks": "automatic",
    "contain.static-stability": "static",
}


def _system_ids(shipped) -> list[str]:
    return [s.id for s in shipped.scenarios if s.scope == "system"]


def _v2(system: dict[str, str], workflows: int = 2) -> Answers:
    flows = [WorkflowAnswers(f"flow {n}", {}) for n in range(workflows)]
    return Answers("reliability-review", 2, SystemInfo("Generated"),
                   {q: Answer.choice(c) for q, c in system.items()}, {}, flows)


def _status(review, scenario_id: str) -> str:
    return next(s for s in review.scenarios if s.scenario.id == scenario_id).status


def test_the_shipped_system_situations_are_system_scoped(shipped) -> None:
    ids = _system_ids(shipped)
    assert {"traffic-twice-peak", "zone-lost", "region-lost", "expired-certificate",
            "slow-dependency-request-path"} <= set(ids)
    # whether an interrupted write is repeated safely differs per workflow
    assert "datastore-failover" not in ids


def test_the_payments_example_has_each_system_scenario_once(shipped) -> None:
    result = evaluate_result(shipped, load_answers(V2_EXAMPLE, shipped))
    ids = _system_ids(shipped)
    assert [s.id for s in result.system_scenarios] == ids
    assert len(result.workflows) > 1
    for workflow in result.workflows:
        own = [s.id for s in workflow.scenarios]
        assert not set(own) & set(ids), workflow.name
        assert "datastore-failover" in own
    text = result_to_json(result)
    for scenario_id in ids:
        assert text.count(f'"id": "{scenario_id}"') == 1, scenario_id
    # the summary counts each system scenario once and each workflow's once per workflow
    statuses = [s.status for s in result.system_scenarios] + [
        s.status for w in result.workflows for s in w.scenarios]
    assert result.summary.scenarios == {k: statuses.count(k) for k in ("safe", "unsafe",
                                                                        "unknown")}
    zone = next(s for s in result.system_scenarios if s.id == "zone-lost")
    assert zone.status == "unsafe" and zone.because  # the example runs in one zone


def test_version_1_has_no_system_scenarios(shipped) -> None:
    result = evaluate_result(shipped, load_answers(REPO / "examples" / "payments-platform.yaml",
                                                   shipped))
    assert result.questionnaire.version == 1 and result.system_scenarios == ()
    assert {s.id for w in result.workflows for s in w.scenarios}.isdisjoint(
        _system_ids(shipped))


def test_a_zone_loss_is_safe_only_with_every_deciding_answer_known(shipped) -> None:
    assert _status(evaluate(shipped, _v2(ZONE_SAFE)), "zone-lost") == "safe"
    for qid in ZONE_SAFE:
        blank = {q: c for q, c in ZONE_SAFE.items() if q != qid}
        assert _status(evaluate(shipped, _v2(blank)), "zone-lost") == "unknown", qid
        unsure = {**ZONE_SAFE, qid: "unsure"}
        assert _status(evaluate(shipped, _v2(unsure)), "zone-lost") != "safe", qid
    down = {**ZONE_SAFE, "contain.failure-domains": "single"}
    assert _status(evaluate(shipped, _v2(down)), "zone-lost") == "unsafe"


def test_a_format_3_snapshot_still_loads_without_system_scenarios(shipped) -> None:
    data = result_to_dict(evaluate_result(shipped, load_answers(V2_EXAMPLE, shipped)))
    old = {k: v for k, v in data.items() if k != "system_scenarios"} | {"format": 3}
    assert result_from_dict(old).system_scenarios == ()
    assert result_from_dict(data) == result_from_dict(json.loads(json.dumps(data)))


def test_the_json_report_holds_the_system_block_once_and_is_reproducible() -> None:
    runs = [CliRunner().invoke(main, ["report", str(V2_EXAMPLE), "--format", "json"])
            for _ in range(2)]
    assert all(r.exit_code == 0 for r in runs), runs[0].output
    assert runs[0].output == runs[1].output
    printed = json.loads(runs[0].output)
    assert printed["format"] == 4
    assert [s["id"] for s in printed["system_scenarios"]].count("zone-lost") == 1
    assert not any(s["id"] == "zone-lost" for w in printed["workflows"] for s in w["scenarios"])


PROPERTY = settings(max_examples=40, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])


@st.composite
def _answers(draw, shipped) -> Answers:
    """Random answers to version 2's system questions and two workflows' (blanks included)."""
    index = shipped.index("reliability-review", 2)

    def block(qids) -> dict:
        picked = {q: draw(st.sampled_from(states(index.questions[q]))) for q in qids}
        return {q: a for q, a in picked.items() if a is not None}

    flows = [WorkflowAnswers(f"flow {n}", block(index.workflow_ids)) for n in range(2)]
    return Answers("reliability-review", 2, SystemInfo("Generated"), block(index.system_ids),
                   {}, flows)


@given(data=st.data())
@PROPERTY
def test_system_scenarios_read_the_system_alone_and_unknown_is_never_safe(shipped, data) -> None:
    answers = data.draw(_answers(shipped))
    review = evaluate(shipped, answers)
    outcomes = [(s.scenario.id, s.outcome.id, s.status) for s in review.scenarios]
    # the workflows' answers (and how many there are) never change a system scenario
    alone = evaluate(shipped, Answers(answers.questionnaire, answers.version, answers.system,
                                      answers.answers, {}, []))
    assert [(s.scenario.id, s.outcome.id, s.status) for s in alone.scenarios] == outcomes
    # blanking, or answering "We don't know" to, a question a system scenario reads never
    # turns it safe
    read = sorted({q for s in review.scenarios for c in review.compiled.outcomes[s.scenario.id]
                   for q in c.questions if q in answers.answers})
    if not read:
        return
    qid = data.draw(st.sampled_from(read))
    for replaced in (None, Answer.choice("unsure")):
        changed = dict(answers.answers)
        if replaced is None:
            del changed[qid]
        elif "unsure" in shipped.index("reliability-review", 2).questions[qid].labels:
            changed[qid] = replaced
        else:
            continue
        after = evaluate(shipped, Answers(answers.questionnaire, answers.version, answers.system,
                                          changed, {}, answers.workflows))
        for before, now in zip(review.scenarios, after.scenarios, strict=True):
            if before.status != "safe":
                assert now.status != "safe", (qid, before.scenario.id)
