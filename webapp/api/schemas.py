"""The API's request and response bodies. Requests are validated with these models and the
OpenAPI document is generated from them, so the two cannot drift apart."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, RootModel, Tag

from webapp.assessments.models import NOTE_MAX_CHARS
from webapp.tracking.models import COMMENT_MAX, FindingStatus


class Strict(BaseModel):
    """A request body: no unknown fields, and no lax conversions, so a number or a boolean must
    be sent as one (`"base_version": "1"` is refused with a 422 naming the field, not read as
    1). Dates and enumerations arrive as JSON strings: their fields opt out with `LAX`."""

    model_config = ConfigDict(extra="forbid", strict=True)


#: For a request field whose JSON form is a string to parse (a date, an enumeration's value).
LAX: dict[str, Any] = {"strict": False}


class TeamRef(BaseModel):
    id: int
    name: str


class QuestionnaireRef(BaseModel):
    id: str = Field(description="A questionnaire's id, or `lens:<key>` for an imported lens.")
    version: int
    kind: Literal["questionnaire", "lens"] = "questionnaire"
    title: str | None = Field(None, description="The questionnaire's or the lens's name.")
    upgraded_from: int | None = Field(
        None, description="The version the answers were carried from by an upgrade.")


class RiskCounts(BaseModel):
    """Questions of a review on a lens per risk."""

    high: int
    medium: int
    none: int
    not_applicable: int
    unanswered: int


class AssessmentSummary(BaseModel):
    id: int
    name: str
    description: str
    team: TeamRef
    questionnaire: QuestionnaireRef
    status: Literal["not_started", "in_progress", "complete"]
    revision: int = Field(description="Bumped by every change to answers or workflows.")
    updated_at: dt.datetime
    overall: float | None = Field(description="Overall score 0-100; null when nothing scored "
                                  "(or while `updating`).")
    coverage: float | None = Field(description="Percent of questions answered or N/A.")
    fit: str | None = Field(None, description="Fit verdict: strong, partial or poor.")
    critical: int | None = Field(None, description="Critical findings.")
    high: int | None = Field(None, description="High findings.")
    updating: bool = Field(False, description="Changed since its figures were computed: the "
                           "figures are null until the server has computed them (seconds).")
    problem: str | None = Field(None, description="Why there are no figures, e.g. its "
                                "questionnaire version is no longer installed.")
    previous_id: int | None = Field(None, description="The review this one continues.")
    risks: RiskCounts | None = Field(None, description="A review on a lens: its questions "
                                                       "per risk; null otherwise.")


class AssessmentList(BaseModel):
    assessments: list[AssessmentSummary]


class WorkflowOut(BaseModel):
    id: int
    position: int
    name: str
    description: str
    automation_file: str | None


class AssessmentDetail(AssessmentSummary):
    workflows: list[WorkflowOut]


class ResultOut(BaseModel):
    """The review's result: the document `faultline report --format json` prints."""

    model_config = ConfigDict(extra="allow")
    format: Any = None
    overall: float | None = None
    coverage: dict[str, Any] = Field(default_factory=dict)
    fit: dict[str, Any] = Field(default_factory=dict)
    layers: list[dict[str, Any]] = Field(default_factory=list)
    findings: list[dict[str, Any]] = Field(default_factory=list)
    plan: list[dict[str, Any]] = Field(default_factory=list)
    answers: dict[str, Any] = Field(
        default_factory=dict,
        description="Every question with its answer. A question with `asked: false` does not "
                    "apply given earlier answers: it reads as not applicable with the reason "
                    "\"Does not apply because ...\" and is not counted. `new: true` marks a "
                    "question asked for the first time since the assessment was upgraded.")
    upgrade: dict[str, Any] | None = Field(
        None, description="Set when the answers were carried from an older questionnaire "
                          "version: that version, the new questions and the retired ones.")


class LensRef(BaseModel):
    id: str
    name: str
    version: int


class LensImprovement(BaseModel):
    choice: str = Field(description="The best practice (choice id) not selected.")
    text: str
    url: str | None


class LensQuestionOut(BaseModel):
    id: str
    title: str
    pillar_id: str
    risk: Literal["high", "medium", "none", "not_applicable", "unanswered"]
    choices: list[str] = Field(description="The selected choice ids, in the lens's order.")
    na_reason: str | None
    note: str
    improvements: list[LensImprovement] = Field(
        description="High and medium risks: the improvement plan of each choice not selected.")


class LensPillarOut(BaseModel):
    id: str
    name: str
    counts: RiskCounts
    questions: list[LensQuestionOut]


class LensResultOut(BaseModel):
    """The result of a review on a lens: each question's risk from the lens's own rules."""

    kind: Literal["lens"]
    lens: LensRef
    answered: int
    total: int
    totals: RiskCounts
    pillars: list[LensPillarOut]
    plan: list[LensQuestionOut] = Field(description="High risks first, in pillar order.")


def _result_kind(value: Any) -> str:
    kind = value.get("kind") if isinstance(value, dict) else getattr(value, "kind", None)
    return "lens" if kind == "lens" else "review"


#: A review's result: Faultline's (as `faultline report --format json` prints it) or, for a
#: review on a lens, the lens result (`kind: lens`).
AnyResult = Annotated[
    Annotated[ResultOut, Tag("review")] | Annotated[LensResultOut, Tag("lens")],
    Discriminator(_result_kind),
]


class Result(RootModel[AnyResult]):
    """The review's result: `faultline report --format json`'s document, or for a review on a
    lens the lens result (`kind: lens`)."""


class LensRiskList(BaseModel):
    revision: int
    risks: list[LensQuestionOut]


class FindingOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    rule: str
    title: str
    severity: str
    scope: str
    workflow: str | None = None
    bucket: str
    priority: float
    quick_win: bool


class FindingList(BaseModel):
    revision: int
    findings: list[FindingOut]


class AnswerOut(BaseModel):
    workflow_id: int | None = Field(description="null for a system question.")
    question_id: str
    choices: list[str]
    na_reason: str | None
    note: str
    version: int = Field(description="Send it back as base_version when you change it.")


class AnswerList(BaseModel):
    revision: int
    answers: list[AnswerOut]


class AnswerIn(Strict):
    question_id: str = Field(min_length=1, max_length=200)
    choices: list[str] = Field(default_factory=list, max_length=50)
    na_reason: str | None = Field(None, max_length=5000,
                                  description="Set (non-empty) to mark not applicable.")
    note: str = Field("", max_length=NOTE_MAX_CHARS, description="Markdown.")
    base_version: int = Field(ge=0, description="The version you read (0: there was none).")


class AnswersWrite(Strict):
    workflow_id: int | None = Field(None, description="The workflow; omit for system questions.")
    answers: list[AnswerIn] = Field(min_length=1, max_length=500)


class WriteResult(BaseModel):
    saved: list[str]
    unchanged: list[str]
    versions: dict[str, int]
    revision: int


class TrackingOut(BaseModel):
    status: str
    owner_id: int | None
    owner: str | None
    due_date: dt.date | None
    overdue: bool
    justification: str | None
    review_date: dt.date | None


class PlanEntryOut(BaseModel):
    number: int
    rule: str
    title: str
    severity: str | None
    bucket: str | None
    workflow_id: int | None
    workflow: str | None
    flagged: bool = Field(description="Marked done while the answers still trigger it.")
    tracking: TrackingOut


class PlanOut(BaseModel):
    revision: int
    entries: list[PlanEntryOut]


class TrackingWrite(Strict):
    rule: str = Field(min_length=1, max_length=200)
    workflow_id: int | None = None
    status: FindingStatus = Field(**LAX)
    owner_id: int | None = None
    due_date: dt.date | None = Field(None, **LAX)
    justification: str = Field("", max_length=COMMENT_MAX)
    review_date: dt.date | None = Field(None, **LAX)


class MilestoneOut(BaseModel):
    id: int
    name: str
    note: str
    created_at: dt.datetime
    overall: float | None


class MilestoneList(BaseModel):
    milestones: list[MilestoneOut]


class MilestoneDetail(MilestoneOut):
    result: AnyResult


class FieldError(BaseModel):
    field: str
    message: str


class Problem(BaseModel):
    """An error, as RFC 9457 `application/problem+json`."""

    model_config = ConfigDict(extra="allow")
    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    errors: list[FieldError] | None = None
