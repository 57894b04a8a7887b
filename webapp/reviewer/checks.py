"""Load the automation checks: data in `rules/automation/*.yaml`, detectors in Python.

Each check names a detector function from `webapp.reviewer.detectors` plus its parameters, so a
new check is usually a YAML edit; the loader refuses unknown detectors, duplicate ids and
malformed entries with the file and the place in it.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from webapp.domain.vocabulary import Severity
from webapp.reviewer.detectors import DETECTORS

RULES_DIR = Path(__file__).resolve().parents[2] / "rules" / "automation"
PATTERNS = (
    "idempotency", "fail-fast", "prerequisite-checks", "work-avoidance", "error-handling",
    "change-detection", "rate-limiting", "state-management", "timeouts", "retries",
    "concurrency", "verification",
)  # fmt: skip
LAYERS = ("observe", "contain", "evolve", "respond", "repeat")
CHECK_ID = r"^[a-z0-9]+(-[a-z0-9]+)*(\.[a-z0-9]+(-[a-z0-9]+)*)+$"


class CheckFileError(ValueError):
    """A checks file that cannot be used, with the file and the place in it."""


class Reference(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    title: str
    url: str


class SuggestedAnswer(BaseModel):
    """An answer of the review questionnaire that this check's outcome points to."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    question: str
    choice: str
    when: Literal["finding", "clean"] = "finding"
    params: dict[str, Any] = Field(default_factory=dict)  #: stricter params to judge "clean"


class Fixtures(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    fires: list[str] = Field(min_length=1)
    quiet: list[str] = Field(min_length=1)


class Check(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=CHECK_ID)
    title: str = Field(min_length=5)
    target: Literal["gha", "gitlab", "compose", "k8s"]
    pattern: str
    severity: Severity
    confidence: Literal["high", "medium", "low"]
    rationale: str = Field(min_length=20)
    remediation: list[str] = Field(min_length=1)
    references: list[Reference | str] = Field(default_factory=list)
    detector: str
    params: dict[str, Any] = Field(default_factory=dict)
    suggests: list[SuggestedAnswer] = Field(default_factory=list)
    fixtures: Fixtures

    @field_validator("pattern")
    @classmethod
    def _known_pattern(cls, value: str) -> str:
        if value not in PATTERNS + LAYERS:
            raise ValueError(f"unknown pattern or layer {value!r}")
        return value

    @field_validator("detector")
    @classmethod
    def _known_detector(cls, value: str) -> str:
        if value not in DETECTORS:
            raise ValueError(f"no detector function named {value!r}")
        return value

    @field_validator("remediation", mode="before")
    @classmethod
    def _steps(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @property
    def remediation_text(self) -> str:
        return " ".join(step.strip() for step in self.remediation)

    def run(self, source: Any, context: Any) -> list[Any]:
        return list(DETECTORS[self.detector](source, context, **self.params))


class CheckFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["automation-checks"]
    checks: list[Check] = Field(min_length=1)


def load_checks(folder: Path = RULES_DIR) -> tuple[Check, ...]:
    """Every check of every `*.yaml` file in `folder`, in file then document order."""
    return _load_checks_cached(folder.resolve())


@lru_cache(maxsize=4)
def _load_checks_cached(folder: Path) -> tuple[Check, ...]:
    checks: list[Check] = []
    for path in sorted(folder.glob("*.yaml")):
        checks.extend(_load_file(path))
    _refuse_duplicates(checks)
    return tuple(checks)


def _load_file(path: Path) -> list[Check]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return CheckFile.model_validate(data).checks
    except yaml.YAMLError as exc:
        raise CheckFileError(f"{path.name}: invalid YAML: {exc}") from None
    except ValidationError as exc:
        raise CheckFileError(f"{path.name}: {_describe(exc, data)}") from None


def _describe(exc: ValidationError, data: Any) -> str:
    problems = []
    for error in exc.errors():
        place = ".".join(str(part) for part in error["loc"])
        problems.append(f"{_check_name(data, error['loc'])}{place}: {error['msg']}")
    return "; ".join(problems)


def _check_name(data: Any, loc: tuple[Any, ...]) -> str:
    if len(loc) >= 2 and loc[0] == "checks" and isinstance(loc[1], int):
        try:
            return f"[{data['checks'][loc[1]].get('id', '?')}] "
        except (KeyError, IndexError, TypeError, AttributeError):
            return ""
    return ""


def _refuse_duplicates(checks: list[Check]) -> None:
    seen: set[str] = set()
    for check in checks:
        if check.id in seen:
            raise CheckFileError(f"check id {check.id!r} is defined twice")
        seen.add(check.id)
