"""Each kind of broken content fails `faultline check` with a message naming file, place and
what is wrong."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from webapp.cli import main
from webapp.domain import ContentError, load_content
from webapp.domain.checks import run_check

from .conftest import FIXTURE_CONTENT

WF = "rules/workflow.yaml"
SYS = "rules/system.yaml"
Q = "questionnaires/mini.yaml"

CASES = {
    "better-choice-adds-a-critical-finding": (
        Q,
        "                score: 20\n",
        "                score: 100\n",
        "questionnaires/",
        "'retries.automatic': choosing 'backoff' (100) over 'never' (30) adds the critical "
        "finding 'retries.without-idempotency'",
    ),
    "verification-checks-the-tool": (
        WF,
        "The second run logs that it skipped work already done",
        "Running Faultline twice gives the same report",
        "rules/workflow.yaml:",
        "checks the review tool, not the team's own system",
    ),
    "verification-too-short": (
        SYS,
        "verification: [Query the audit log for one action., The entry names who acted and when]",
        "verification: [Query the audit log for one action.]",
        "rules/system.yaml:",
        "has 1 items; a team needs 2 to 6 things it can observe in its own system",
    ),
    "raised-tag-nobody-carries": (
        Q,
        "raises: {layers: [observe], factor: 1.25}",
        "raises: {layers: [observe], tags: [audit-trial], factor: 1.25}",
        "questionnaires/mini.yaml:",
        "criterion.raises.tags[0]: tag 'audit-trial' is on no question or rule "
        "(did you mean 'audit-trail'?)",
    ),
    "pattern-no-rule-covers": (
        WF,
        "        - {q: timeouts.calls, score: {lt: 100}}\n        - {q: timeouts.run, is: no}",
        "        - {q: timeouts.calls, is: some}\n        - {q: timeouts.run, is: yes}",
        "rules/:",
        "no rule fires for pattern 'timeouts' even when every answer is the worst",
    ),
    "high-rule-fires-on-best-answers": (
        SYS,
        "when: {q: observe.alerts, in: [none, unsure, causes]}",
        "when: {q: observe.alerts, in: [none, unsure, causes, symptoms]}",
        "rules/system.yaml:",
        "rules[0].when: high rule fires even when every answer is the best",
    ),
    "bad-yaml": (
        WF,
        "    scope: workflow\n",
        "    scope: [workflow\n",
        "rules/workflow.yaml:",
        "invalid YAML",
    ),
    "unknown-question-in-condition": (
        WF,
        "when: {q: idempotency.rerun-safe, in: [no, unsure, mostly]}",
        "when: {q: idempotency.rerun-saf, in: [no, unsure, mostly]}",
        "rules/workflow.yaml:9: rules[0].when.q:",
        "unknown question id 'idempotency.rerun-saf' (did you mean 'idempotency.rerun-safe'?)",
    ),
    "unknown-choice-in-nested-condition": (
        WF,
        "        - {q: retries.automatic, in: [backoff, immediate]}",
        "        - {q: retries.automatic, in: [backoff, immediately]}",
        "rules/workflow.yaml:",
        "rules[1].when.all[0].in[1]: 'retries.automatic' has no choice 'immediately'",
    ),
    "duplicate-rule-id": (
        SYS,
        "  - id: contain.no-bulkheads",
        "  - id: observe.no-symptom-alerts",
        "rules/system.yaml:",
        "duplicate rule id 'observe.no-symptom-alerts' (first in rules/system.yaml: rules[0])",
    ),
    "missing-example": (
        SYS,
        "      quiet: [{contain.bulkheads: {na: single dependency}}]\n",
        "",
        "rules/system.yaml:",
        "rules[2].examples.quiet: is required",
    ),
    "never-fires": (
        WF,
        "when: {q: retries.automatic, is: immediate}",
        "when: {all: [{q: retries.automatic, is: immediate}, {q: retries.automatic, is: backoff}]}",
        "rules/workflow.yaml:",
        "rules[2].when: can never fire",
    ),
    "always-fires": (
        SYS,
        "when: {q: contain.bulkheads, is: no}",
        "when: {any: [{q: contain.bulkheads, answered: true},"
        " {q: contain.bulkheads, answered: false}]}",
        "rules/system.yaml:",
        "rules[2].when: always fires",
    ),
    "unknown-prerequisite": (
        WF,
        "prerequisites: [idempotency.not-rerun-safe]",
        "prerequisites: [idempotency.not-rerun-saf]",
        "rules/workflow.yaml:",
        "rules[1].prerequisites[0]: unknown rule 'idempotency.not-rerun-saf'",
    ),
    "example-that-does-not-fire": (
        WF,
        "fires: [{idempotency.rerun-safe: no}]",
        "fires: [{idempotency.rerun-safe: yes}]",
        "rules/workflow.yaml:",
        "rules[0].examples.fires[0]: rule 'idempotency.not-rerun-safe' does not fire",
    ),
    "unknown-choice-in-example": (
        WF,
        "quiet: [{retries.automatic: backoff}]",
        "quiet: [{retries.automatic: backof}]",
        "rules/workflow.yaml:",
        "rules[2].examples.quiet[0].retries.automatic: 'retries.automatic' has no choice 'backof'",
    ),
    "unknown-outcome": (
        "rules/scenarios.yaml",
        "  - outcome: stuck",
        "  - outcome: stuk",
        "rules/scenarios.yaml:",
        "scenarios[0].outcomes[0].outcome: unknown outcome 'stuk' (did you mean 'stuck'?)",
    ),
    "shadowed-outcome": (
        "rules/scenarios.yaml",
        "        when: {q: timeouts.calls, is: none}",
        "        when: {q: timeouts.calls, in: [none, some, all]}",
        "rules/scenarios.yaml:",
        "scenarios[0].outcomes[2]: outcome 'retry-scheduled' is unreachable: "
        "shadowed by outcomes[0]",
    ),
    "unknown-key": (
        SYS,
        "    effort: L\n",
        "    effort: L\n    efort: L\n",
        "rules/system.yaml:",
        "rules[2].efort: unknown key",
    ),
    "bad-severity": (
        SYS,
        "severity: high\n    effort: L",
        "severity: urgent\n    effort: L",
        "rules/system.yaml:",
        "rules[2].severity: input should be 'critical', 'high', 'medium' or 'low'",
    ),
    "system-rule-on-workflow-question": (
        SYS,
        "when: {q: contain.bulkheads, is: no}",
        "when: {q: timeouts.run, is: no}",
        "rules/system.yaml:",
        "'timeouts.run' is asked per workflow",
    ),
    "system-scenario-on-workflow-question": (
        "rules/scenarios.yaml",
        "  - id: slow-dependency\n    title: A dependency becomes slow\n",
        "  - id: slow-dependency\n    title: A dependency becomes slow\n    scope: system\n",
        "rules/scenarios.yaml:",
        "'timeouts.calls' is asked per workflow; a system-scope condition",
    ),
    "unknown-scenario-scope": (
        "rules/scenarios.yaml",
        "  - id: slow-dependency\n    title: A dependency becomes slow\n",
        "  - id: slow-dependency\n    title: A dependency becomes slow\n    scope: team\n",
        "rules/scenarios.yaml:",
        "scope: input should be 'system' or 'workflow'",
    ),
    "question-best-choice-not-100": (
        Q,
        "{id: symptoms, label: On symptoms, score: 100}",
        "{id: symptoms, label: On symptoms, score: 90}",
        "questionnaires/mini.yaml:",
        "the best answer scores 90; it must score 100",
    ),
    "duplicate-question-id": (
        Q,
        "      - id: timeouts.run\n",
        "      - id: timeouts.calls\n",
        "questionnaires/mini.yaml:",
        "duplicate question id 'timeouts.calls'",
    ),
    "unknown-pattern": (
        Q,
        "        pattern: timeouts\n        choices:\n          - {id: yes",
        "        pattern: timeout\n        choices:\n          - {id: yes",
        "questionnaires/mini.yaml:",
        "unknown pattern 'timeout'",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES), ids=sorted(CASES))
def test_broken_content_fails_check_naming_the_place(case: str, broken_content) -> None:
    file, old, new, where, what = CASES[case]
    root = broken_content(file, old, new)
    result = CliRunner().invoke(main, ["check", "--content-dir", str(root)])
    assert result.exit_code == 1, result.output
    lines = [line for line in result.output.splitlines() if what in line]
    assert lines, result.output
    assert lines[0].strip().startswith(where), lines[0]


def test_fixture_content_passes_check() -> None:
    result = CliRunner().invoke(main, ["check", "--content-dir", str(FIXTURE_CONTENT)])
    assert result.exit_code == 0, result.output
    assert "Content OK" in result.output


def test_content_error_reads_as_one_block_with_a_summary_line(broken_content) -> None:
    root = broken_content(WF, "severity: critical", "severity: severe")
    broken_content(SYS, "effort: S", "effort: XL")
    with pytest.raises(ContentError) as caught:
        load_content(root)
    text = str(caught.value)
    assert text.splitlines()[0] == "Faultline content is invalid: 2 problems in 2 files"
    assert (
        "rules/system.yaml:" in text.splitlines()[1]
        and "rules/workflow.yaml:" in text.splitlines()[2]
    )
    assert all(p.line for p in caught.value.problems)


def test_check_lists_every_problem_not_just_the_first(broken_content) -> None:
    root = broken_content(
        WF, "when: {q: retries.automatic, is: immediate}", "when: {q: retries.automatic, is: nope}"
    )
    broken_content(
        SYS,
        "when: {q: observe.alerts, in: [none, unsure, causes]}",
        "when: {q: observe.alert, in: [none]}",
    )
    _, problems = run_check(root)
    assert len(problems) == 2
    assert {p.file for p in problems} == {WF, SYS}


def test_rules_in_the_automation_folder_are_not_the_engines(broken_content) -> None:
    root = broken_content(WF, "kind: rules", "kind: rules")
    (root / "rules" / "automation").mkdir()
    (root / "rules" / "automation" / "gha.yaml").write_text("kind: automation-checks\nchecks: [{\n")
    assert run_check(root)[1] == []


def test_a_file_of_unknown_kind_is_refused(broken_content) -> None:
    root = broken_content(WF, "kind: rules", "kind: rulez")
    _, problems = run_check(root)
    assert [str(p) for p in problems] == [
        "rules/workflow.yaml:1: kind: 'kind' must be rules or scenarios, not 'rulez'"
    ]
