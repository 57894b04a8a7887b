"""Pydantic models of the content files: questionnaires, rules and scenarios.

They check the shape of each file; `crossref` checks what refers to what.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from .vocabulary import Severity

Id = Annotated[
    str, StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*(?:\.[a-z0-9]+(?:-[a-z0-9]+)*)*$")
]
Text = Annotated[str, StringConstraints(min_length=1)]
Effort = Literal["S", "M", "L"]
Describes = Literal["trigger", "side-effects", "external-systems", "volume", "criticality"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ScoreIf(Strict):
    """A choice's score when the right answer depends on another (retries on unsafe steps)."""

    when: dict[str, Any]
    score: int = Field(ge=0, le=100)


class Choice(Strict):
    id: Id
    label: Text
    score: int | None = Field(default=None, ge=0, le=100)
    #: the first entry whose condition holds replaces `score`
    score_if: list[ScoreIf] = []
    exposure: float | None = Field(default=None, gt=0)
    exclusive: bool = False


class Raises(Strict):
    layers: list[Id] = []
    patterns: list[Id] = []
    tags: list[Id] = []
    factor: float = Field(default=1.0, ge=1.0, le=5.0)


class Lowers(Strict):
    """What a "not for" criterion makes matter less: the exposure of findings there."""

    layers: list[Id] = []
    patterns: list[Id] = []
    tags: list[Id] = []
    factor: float = Field(default=0.5, ge=0.1, lt=1.0)


class Criterion(Strict):
    direction: Literal["for", "against"]
    flag: Id
    applies_when: list[Id] = Field(min_length=1)
    reason: Text
    raises: Raises | None = None
    lowers: Lowers | None = None


class NaRefusal(Strict):
    """Not applicable is refused when the workflow's own description makes the question apply."""

    when: dict[str, Any]
    reason: Text


class Question(Strict):
    id: Id
    text: Text
    help: str = ""
    type: Literal["single", "multi"] = "single"
    na_allowed: bool = False
    weight: float = Field(default=1.0, gt=0, le=10)
    tags: list[Id] = []
    pattern: Id | None = None
    describes: Describes | None = None
    criterion: Criterion | None = None
    #: part of the minimum checklist a poor fit is asked instead of the full questionnaire
    minimum: bool = False
    na_refused: list[NaRefusal] = []
    #: relevance: the question is asked only when this condition (on earlier answers) can hold
    ask_if: dict[str, Any] | None = None
    #: the clause after "Does not apply because" when `ask_if` hides the question
    ask_if_reason: Text | None = None
    choices: list[Choice] = Field(min_length=1)

    @property
    def scored(self) -> bool:
        return self.describes is None and self.criterion is None


class Section(Strict):
    id: Id
    kind: Literal["fit", "layer", "workflow"]
    title: Text
    intro: str = ""
    layer: Id | None = None
    #: relevance of the whole section (combined with each question's own `ask_if`)
    ask_if: dict[str, Any] | None = None
    ask_if_reason: Text | None = None
    questions: list[Question] = Field(min_length=1)


class Pattern(Strict):
    id: Id
    title: Text
    asks: str = ""
    summary: str = ""


class Layer(Strict):
    id: Id
    title: Text
    summary: str = ""


class StrongWhen(Strict):
    min_for: int = Field(ge=0)
    max_against: int = Field(ge=0)


class PoorWhen(Strict):
    max_for: int = Field(ge=0)


class VerdictText(Strict):
    title: Text
    advice: Text


class FitModel(Strict):
    strong: StrongWhen
    poor: PoorWhen
    poor_when_against_at_least: int = Field(ge=1)
    #: how many fit questions must be answered before there is a verdict
    min_answered: int = Field(default=1, ge=1)
    #: "undecided" (optional) is shown until enough fit questions are answered; "neutral"
    #: (optional) when no criterion applies either way.
    verdicts: dict[Literal["strong", "partial", "poor", "neutral", "undecided"], VerdictText]


class UpgradeTo(Strict):
    """A v1 question carried to another id, its choices renamed by `choices` (old: new);
    a choice not named keeps its id."""

    to: Id
    choices: dict[str, Id] = {}


class Retired(Strict):
    """A question of the previous version that is not carried; `retired` says why."""

    retired: Text


class Merged(Strict):
    """A question of the previous version whose answer, with others, decides the answer to the
    question `merged` of this version through that question's `derive` steps."""

    merged: Id


class Derivation(Strict):
    """One step of a derived answer: when `when` (a condition over the previous version's
    answers) holds, the answer is `choice`, or not applicable with the reason `na`. The first
    step that holds wins; when none holds the question stays unanswered."""

    when: dict[str, Any]
    choice: Id | None = None
    na: Text | None = None

    @model_validator(mode="after")
    def _one_answer(self) -> Derivation:
        if (self.choice is None) == (self.na is None):
            raise ValueError("a derive step needs exactly one of choice or na")
        return self


#: `same` (carried under the same id and choice ids), a move, merged into a derived question,
#: or retired on purpose
UpgradeEntry = Literal["same"] | UpgradeTo | Merged | Retired


class Upgrade(Strict):
    """How answers given on version `from` are carried to this version."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    from_version: int = Field(alias="from", ge=1)
    questions: dict[str, UpgradeEntry] = Field(min_length=1)
    #: a question of this version -> the steps deciding its answer from several earlier ones
    derive: dict[Id, list[Derivation]] = {}


class Questionnaire(Strict):
    id: Id
    version: int = Field(ge=1)
    title: Text
    description: str = ""
    patterns: list[Pattern] = Field(min_length=1)
    layers: list[Layer] = Field(min_length=1)
    fit: FitModel
    sections: list[Section] = Field(min_length=1)
    upgrade: Upgrade | None = None


class Reference(Strict):
    title: Text
    url: str | None = None


def _reference(value: Any) -> Any:
    return {"title": value} if isinstance(value, str) else value


def _listify(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


class Examples(Strict):
    fires: list[dict[str, Any]] = Field(min_length=1)
    quiet: list[dict[str, Any]] = Field(min_length=1)


class RuleRevision(Strict):
    """From questionnaire version `since` on, the rule reads these answers instead (its text
    stays: the same finding, asked about through that version's questions)."""

    since: int = Field(ge=2)
    when: dict[str, Any]
    examples: Examples


class OutcomeRevision(Strict):
    """From questionnaire version `since` on, the outcome holds under this condition instead."""

    since: int = Field(ge=2)
    when: dict[str, Any]


def _revised(revisions: list[Any]) -> list[Any]:
    since = [r.since for r in revisions]
    if since != sorted(set(since)):
        raise ValueError("revisions must name increasing versions in `since`")
    return revisions


class Rule(Strict):
    id: Id
    title: Text
    scope: Literal["system", "workflow"]
    pattern: Id | None = None
    layer: Id | None = None
    severity: Severity
    effort: Effort
    tags: list[Id] = []
    prerequisites: list[Id] = []
    when: dict[str, Any]
    rationale: Text
    remediation: list[Text] = Field(min_length=1)
    verification: list[Text] = Field(min_length=1)
    references: list[Annotated[Reference, BeforeValidator(_reference)]] = Field(min_length=1)
    #: rules whose fix also removes this finding: when one of them fired in the same workflow
    #: (or for the system), this finding is listed as a consequence of that action
    root_cause: Annotated[list[Id], BeforeValidator(_listify)] = []
    #: the rule reports answers that contradict each other, not a choice that is worse
    contradiction: bool = False
    #: the first questionnaire version the rule belongs to: an older version never sees it
    since: int = Field(default=1, ge=1)
    #: the last questionnaire version the rule belongs to (a rule on a retired question)
    until: int | None = Field(default=None, ge=1)
    examples: Examples
    #: the condition (and its examples) from a later questionnaire version on
    revised: Annotated[list[RuleRevision], AfterValidator(_revised)] = []

    @property
    def area(self) -> str:
        return self.pattern or self.layer or ""


class RulesFile(Strict):
    kind: Literal["rules"]
    rules: list[Rule] = Field(min_length=1)


class OutcomeDef(Strict):
    id: Id
    status: Literal["safe", "unsafe", "not-applicable"]
    label: Text


class ScenarioOutcome(Strict):
    outcome: Id
    when: dict[str, Any]
    explain: Text
    #: the questionnaire versions the outcome belongs to (another version never picks it)
    since: int = Field(default=1, ge=1)
    until: int | None = Field(default=None, ge=1)
    #: the condition from a later questionnaire version on
    revised: Annotated[list[OutcomeRevision], AfterValidator(_revised)] = []


class Scenario(Strict):
    id: Id
    title: Text
    description: str = ""
    #: "system": the situation happens to the whole system and its outcome depends on system
    #: answers only, so it is evaluated once per review (its conditions may read fit and layer
    #: questions only); "workflow": once per workflow, over the workflow's answers
    scope: Literal["system", "workflow"] = "workflow"
    #: the first questionnaire version the scenario belongs to
    since: int = Field(default=1, ge=1)
    until: int | None = Field(default=None, ge=1)
    outcomes: list[ScenarioOutcome] = Field(min_length=1)


class ScenariosFile(Strict):
    kind: Literal["scenarios"]
    outcomes: list[OutcomeDef] = []
    scenarios: list[Scenario] = []
