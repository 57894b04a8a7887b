"""The typed, versioned result of a review: what every renderer (results page, report HTML and
PDF, share page, milestone, comparison) and `faultline report --format json` take.

Built once from the engine's `ReviewResult` (`result_build.build_result`), turned into JSON and
read back from it by `result_json` only. Everything here is frozen and holds plain values, so a
result can be cached, shared between requests and stored as a milestone snapshot.

Workflows carry a stable `id` and their `position` (0-based, the order the team listed them);
findings and plan steps carry the `workflow_id` and `position` of the workflow they belong to
(None and -1 for the system), so two workflows of the same name never get mixed up.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: Bumped whenever a field is renamed, removed or changes meaning (2: workflow ids and
#: positions, finding and plan workflow ids, pattern cell status; 3: `overall` is the headline,
#: open questions counted as unproven, and `honesty` and plan `consequences` are added, both
#: with defaults so a format 2 snapshot still loads; 4: `system_scenarios`, the scenarios that
#: happen to the whole system, once per review instead of once in every workflow, with a
#: default so a format 3 snapshot still loads).
FORMAT_VERSION = 4

#: A pattern cell: scored, every question answered "not applicable", or nothing answered yet.
CELL_STATUSES = ("scored", "not_applicable", "not_assessed")


@dataclass(frozen=True, slots=True)
class Choice:
    id: str
    label: str


@dataclass(frozen=True, slots=True)
class AnswerView:
    """How a question was answered: status answered / na / unanswered."""

    status: str
    choices: tuple[Choice, ...] = ()
    na_reason: str | None = None

    @property
    def text(self) -> str:
        return ", ".join(c.label for c in self.choices)


@dataclass(frozen=True, slots=True)
class QuestionRef:
    """A question that decided a finding or scenario, with its answer."""

    question: str
    text: str
    answer: AnswerView


@dataclass(frozen=True, slots=True)
class QuestionnaireRef:
    id: str
    version: int
    title: str


@dataclass(frozen=True, slots=True)
class System:
    name: str
    description: str = ""


@dataclass(frozen=True, slots=True)
class Scores:
    system: float | None
    workflows: float | None


@dataclass(frozen=True, slots=True)
class Coverage:
    percent: float
    answered: int
    not_applicable: int
    unanswered: int
    total: int


@dataclass(frozen=True, slots=True)
class Raise:
    flag: str
    layers: tuple[str, ...]
    patterns: tuple[str, ...]
    tags: tuple[str, ...]
    factor: float


@dataclass(frozen=True, slots=True)
class Profile:
    flags: tuple[str, ...]
    raises: tuple[Raise, ...]


@dataclass(frozen=True, slots=True)
class Fit:
    verdict: str | None
    title: str
    advice: str
    reasons: tuple[str, ...]
    for_count: int
    against_count: int
    unanswered: tuple[str, ...]
    profile: Profile


@dataclass(frozen=True, slots=True)
class Layer:
    id: str
    title: str
    score: float | None
    answered: int
    total: int
    summary: str | None = None


@dataclass(frozen=True, slots=True)
class Pattern:
    """A pattern of the catalog (what it asks), not a workflow's score on it."""

    id: str
    title: str
    asks: str | None = None
    summary: str | None = None


@dataclass(frozen=True, slots=True)
class PatternCell:
    """A workflow's score on one pattern; `status` tells an N/A cell from an open one."""

    id: str
    title: str
    score: float | None
    answered: int
    total: int
    status: str = "not_assessed"


@dataclass(frozen=True, slots=True)
class Scenario:
    id: str
    title: str
    description: str | None
    outcome: str
    label: str
    status: str
    explain: str
    because: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Fact:
    """A described property of a workflow (trigger, side effects...) and its answer."""

    describes: str
    question: str
    text: str
    answer: AnswerView


@dataclass(frozen=True, slots=True)
class Suggestion:
    """An answer the automated reviewer suggests from a workflow's files."""

    question: str
    question_text: str
    choice: str
    label: str
    file: str
    line: int
    rule: str
    rule_title: str
    text: str
    status: str


@dataclass(frozen=True, slots=True)
class AutomationFinding:
    rule: str
    title: str
    severity: str
    file: str
    line: int
    message: str


@dataclass(frozen=True, slots=True)
class Automation:
    files: tuple[str, ...] = ()
    findings: tuple[AutomationFinding, ...] = ()


@dataclass(frozen=True, slots=True)
class Workflow:
    id: str
    position: int
    name: str
    score: float | None
    exposure: float
    coverage: Coverage
    description: tuple[Fact, ...] = ()
    patterns: tuple[PatternCell, ...] = ()
    scenarios: tuple[Scenario, ...] = ()
    evidence: tuple[Suggestion, ...] = ()
    automation: Automation = field(default_factory=Automation)


@dataclass(frozen=True, slots=True)
class Reference:
    title: str
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Finding:
    rule: str
    title: str
    scope: str
    workflow: str | None
    workflow_id: str | None
    position: int
    pattern: str | None
    layer: str | None
    tags: tuple[str, ...]
    severity: str
    effort: str | None
    exposure: float
    priority: float
    bucket: str
    quick_win: bool
    rationale: str
    remediation: tuple[str, ...] = ()
    verification: tuple[str, ...] = ()
    references: tuple[Reference, ...] = ()
    prerequisites: tuple[str, ...] = ()
    because: tuple[QuestionRef, ...] = ()

    @property
    def key(self) -> tuple[str, int]:
        """(rule id, workflow position): unique within a result."""
        return self.rule, self.position


@dataclass(frozen=True, slots=True)
class After:
    rule: str
    workflow: str | None
    workflow_id: str | None = None


@dataclass(frozen=True, slots=True)
class Consequence:
    """A finding an action's root cause also removes (shown under the action, not as one)."""

    rule: str
    title: str
    severity: str
    workflow: str | None = None
    workflow_id: str | None = None


@dataclass(frozen=True, slots=True)
class PlanStep:
    step: int
    rule: str
    workflow: str | None
    workflow_id: str | None
    position: int
    title: str
    bucket: str
    priority: float
    severity: str
    effort: str | None
    quick_win: bool
    after: tuple[After, ...] = ()
    consequences: tuple[Consequence, ...] = ()

    @property
    def key(self) -> tuple[str, int]:
        return self.rule, self.position


@dataclass(frozen=True, slots=True)
class Summary:
    findings: dict[str, int]
    buckets: dict[str, int]
    quick_wins: int
    scenarios: dict[str, int]


@dataclass(frozen=True, slots=True)
class QuestionRow:
    """A question of the appendix with its answer, score, note and evidence."""

    id: str
    text: str
    type: str
    answer: AnswerView
    score: float | None = None
    note: str | None = None
    evidence: str | None = None
    source: str | None = None
    #: False when earlier answers make the question irrelevant (`ask_if`): it is not asked, not
    #: counted, and reads as not applicable with the reason "Does not apply because …"
    asked: bool = True
    #: asked for the first time after an upgrade to this questionnaire version
    new: bool = False


@dataclass(frozen=True, slots=True)
class Section:
    id: str
    kind: str
    title: str
    questions: tuple[QuestionRow, ...] = ()


@dataclass(frozen=True, slots=True)
class WorkflowAnswersView:
    id: str
    position: int
    name: str
    sections: tuple[Section, ...] = ()


@dataclass(frozen=True, slots=True)
class AnswersView:
    sections: tuple[Section, ...] = ()
    workflows: tuple[WorkflowAnswersView, ...] = ()


@dataclass(frozen=True, slots=True)
class QuestionText:
    id: str
    text: str


@dataclass(frozen=True, slots=True)
class LayerRef:
    id: str
    title: str


@dataclass(frozen=True, slots=True)
class LayerRisks:
    """Finding counts (critical / high / medium) of one layer's system findings."""

    id: str
    title: str
    risks: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class WorkflowRisks:
    name: str
    risks: dict[str, int] = field(default_factory=dict)
    id: str | None = None
    position: int = -1


@dataclass(frozen=True, slots=True)
class OpenRisk:
    """A high or critical rule that is quiet only because these questions are open."""

    rule: str
    title: str
    severity: str
    workflow: str | None = None
    workflow_id: str | None = None
    questions: tuple[QuestionText, ...] = ()


@dataclass(frozen=True, slots=True)
class RefusedNa:
    """A "not applicable" the workflow's own description contradicts (it counts as open)."""

    question: QuestionText
    reason: str
    workflow: str | None = None
    workflow_id: str | None = None


@dataclass(frozen=True, slots=True)
class Honesty:
    """What keeps the verdict honest: the provisional headline beside the score of what is
    answered, the weakest layers holding the headline down, risk counts, open risks and
    refused "not applicable" answers. `checklist` is "minimum" when a poor fit is reviewed on
    the minimum checklist. The defaults are what a snapshot made before these existed reads."""

    checklist: str = "full"
    headline: float | None = None
    answered_score: float | None = None
    provisional: bool = False
    unanswered: int = 0
    weak_layers: tuple[LayerRef, ...] = ()
    weak_layer_below: float = 25.0
    headline_cap: float = 50.0
    risks: dict[str, int] = field(default_factory=dict)
    layer_risks: tuple[LayerRisks, ...] = ()
    workflow_risks: tuple[WorkflowRisks, ...] = ()
    open_risks: tuple[OpenRisk, ...] = ()
    refused_na: tuple[RefusedNa, ...] = ()
    actions: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class UpgradeNote:
    """The answers were carried here from an older questionnaire version: which questions are
    asked for the first time, and which of the old ones were retired (and why)."""

    from_version: int
    new_questions: tuple[QuestionText, ...] = ()
    retired: tuple[RetiredQuestion, ...] = ()


@dataclass(frozen=True, slots=True)
class RetiredQuestion:
    id: str
    why: str


@dataclass(frozen=True, slots=True)
class Result:
    """The whole review. `format` is the version of this shape (see FORMAT_VERSION)."""

    format: int
    questionnaire: QuestionnaireRef
    system: System
    overall: float | None
    scores: Scores
    coverage: Coverage
    fit: Fit
    layers: tuple[Layer, ...]
    patterns: tuple[Pattern, ...]
    workflows: tuple[Workflow, ...]
    summary: Summary
    findings: tuple[Finding, ...]
    plan: tuple[PlanStep, ...]
    answers: AnswersView
    honesty: Honesty = field(default_factory=Honesty)
    upgrade: UpgradeNote | None = None
    #: scenarios that happen to the whole system (a zone lost, twice the peak traffic...),
    #: decided by the system's answers: once here, never repeated under each workflow
    system_scenarios: tuple[Scenario, ...] = ()

    @property
    def has_answers(self) -> bool:
        return bool(self.coverage.answered or self.coverage.not_applicable)

    def workflow(self, position: int) -> Workflow | None:
        """The workflow at `position`, None for the system (-1) or an unknown one."""
        return self.workflows[position] if 0 <= position < len(self.workflows) else None
