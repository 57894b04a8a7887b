"""AWS custom lens files (schemaVersion 2021-11-01): read and validate.

`read_lens(raw_bytes)` gives a `Lens` or raises `LensInvalid` with every problem, each naming
the pillar, the question and the field. Keys the format does not define (`_version`, `_teams`,
a choice's `number`, ...) are ignored; minified and pretty files read the same.
"""

from __future__ import annotations

import itertools
import json
import re
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from . import lens_rules

SCHEMA_VERSION = "2021-11-01"
MAX_FILE_BYTES = 500 * 1024
LensId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_]{3,128}$")]
Risk = Literal["HIGH_RISK", "MEDIUM_RISK", "NO_RISK"]
NONE_OF_THESE_SUFFIX = "_no"


def _text(max_length: int) -> Any:
    return Annotated[str, StringConstraints(min_length=1, max_length=max_length)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Resource(_Model):
    displayText: _text(2048)
    url: Annotated[str, StringConstraints(max_length=2048)] | None = None


class Plan(_Model):
    displayText: Annotated[str, StringConstraints(max_length=2048)] | None = None
    url: Annotated[str, StringConstraints(max_length=2048)] | None = None


class AdditionalResources(_Model):
    type: Literal["HELPFUL_RESOURCE", "IMPROVEMENT_PLAN"]
    content: list[Resource] = Field(min_length=1, max_length=5)


class Choice(_Model):
    id: LensId
    title: _text(128)
    helpfulResource: Resource | None = None
    improvementPlan: Plan | None = None
    additionalResources: list[AdditionalResources] = Field(default=[], max_length=2)

    @property
    def none_of_these(self) -> bool:
        return self.id.endswith(NONE_OF_THESE_SUFFIX)

    def extra(self, kind: str) -> list[Resource]:
        return [
            r for group in self.additionalResources if group.type == kind for r in group.content
        ]


class RiskRule(_Model):
    condition: _text(2048)
    risk: Risk


class Question(_Model):
    id: LensId
    title: _text(128)
    description: Annotated[str, StringConstraints(max_length=2048)] = ""
    helpfulResource: Resource | None = None
    choices: list[Choice] = Field(min_length=1, max_length=15)
    riskRules: list[RiskRule] = Field(min_length=1, max_length=3)

    def choice(self, choice_id: str) -> Choice | None:
        return next((c for c in self.choices if c.id == choice_id), None)


class Pillar(_Model):
    id: LensId
    name: _text(128)
    questions: list[Question] = Field(min_length=1, max_length=20)


class Lens(_Model):
    schemaVersion: str
    name: _text(128)
    description: _text(2048)
    pillars: list[Pillar] = Field(min_length=1, max_length=10)

    def questions(self) -> list[tuple[Pillar, Question]]:
        return [(p, q) for p in self.pillars for q in p.questions]


@dataclass(frozen=True)
class LensProblem:
    """One thing wrong in a lens file: where (pillar, question, field) and what."""

    pillar: str | None
    question: str | None
    field: str
    message: str

    def __str__(self) -> str:
        where = [f"pillar {self.pillar}" if self.pillar else "", ""]
        where[1] = f"question {self.question}" if self.question else ""
        place = ", ".join(part for part in where if part)
        return f"{place + ': ' if place else ''}{self.field}: {self.message}"


class LensInvalid(ValueError):
    def __init__(self, problems: list[LensProblem]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems[:5]))


def read_lens(raw: bytes | str) -> Lens:
    """The validated lens in `raw` (JSON text); `LensInvalid` names every problem found."""
    size = len(raw.encode() if isinstance(raw, str) else raw)
    if size > MAX_FILE_BYTES:
        raise LensInvalid(
            [_top("file", f"is {size // 1024} KB; a lens file may be 500 KB at most")]
        )
    data = _json(raw)
    try:
        lens = Lens.model_validate(data)
    except ValidationError as exc:
        raise LensInvalid([_problem(data, error) for error in exc.errors()]) from None
    problems = check_lens(lens)
    if problems:
        raise LensInvalid(problems)
    return lens


def _json(raw: bytes | str) -> dict[str, Any]:
    try:
        data = json.loads(raw)
    except UnicodeDecodeError:
        raise LensInvalid([_top("file", "is not UTF-8 text")]) from None
    except json.JSONDecodeError as exc:
        message = f"is not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})"
        raise LensInvalid([_top("file", message)]) from None
    if not isinstance(data, dict):
        raise LensInvalid([_top("file", "must hold one JSON object (the lens)")])
    return data


def _top(field: str, message: str) -> LensProblem:
    return LensProblem(None, None, field, message)


def _problem(data: Any, error: Any) -> LensProblem:
    """A pydantic error with its location turned into pillar, question and field names."""
    loc, names, node = list(error["loc"]), {}, data
    while loc and loc[0] in ("pillars", "questions") and len(loc) > 1:
        key, index = loc.pop(0), loc.pop(0)
        node = _item(node, key, index)
        names[key] = _name(node, index)
    field = ".".join(str(part) if isinstance(part, str) else f"[{part}]" for part in loc)
    field = field.replace(".[", "[")
    return LensProblem(
        names.get("pillars"), names.get("questions"), field or "file", _message(error)
    )


def _item(node: Any, key: str, index: Any) -> Any:
    items = node.get(key) if isinstance(node, dict) else None
    if isinstance(items, list) and isinstance(index, int) and index < len(items):
        return items[index]
    return None


def _name(node: Any, index: Any) -> str:
    ident = node.get("id") if isinstance(node, dict) else None
    return str(ident) if isinstance(ident, str) and ident else f"#{index + 1}"


def _message(error: Any) -> str:
    kind, ctx = error["type"], error.get("ctx") or {}
    if kind == "missing":
        return "is required"
    if kind == "string_pattern_mismatch":
        return f"{error['input']!r} is not an id (3 to 128 letters, digits or underscores)"
    if kind == "too_long" and "max_length" in ctx:
        return f"has {len(error['input'])} entries; at most {ctx['max_length']} are allowed"
    if kind == "string_too_long":
        return f"is {len(error['input'])} characters; at most {ctx['max_length']} are allowed"
    if kind == "too_short":
        return "must not be empty"
    if kind == "string_too_short":
        return "must not be empty"
    return error["msg"][:1].lower() + error["msg"][1:]


def check_lens(lens: Lens) -> list[LensProblem]:
    """What the schema cannot say: version, unique ids, conditions, improvement plans."""
    problems = []
    if lens.schemaVersion != SCHEMA_VERSION:
        problems.append(
            _top("schemaVersion", f"must be {SCHEMA_VERSION}, not {lens.schemaVersion!r}")
        )
    problems += _duplicates([p.id for p in lens.pillars], None, None, "pillars", "pillar id")
    question_ids = [q.id for _, q in lens.questions()]
    problems += _duplicates(question_ids, None, None, "questions", "question id")
    for pillar, question in lens.questions():
        problems += _check_question(pillar, question)
    return problems


def _duplicates(ids: list[str], pillar: str | None, question: str | None, field: str, what: str):
    seen, out = set(), []
    for ident in ids:
        if ident in seen:
            out.append(LensProblem(pillar, question, field, f"{what} {ident!r} is used twice"))
        seen.add(ident)
    return out


def _check_question(pillar: Pillar, question: Question) -> list[LensProblem]:
    def problem(field: str, message: str) -> LensProblem:
        return LensProblem(pillar.id, question.id, field, message)

    choices = [c.id for c in question.choices]
    out = _duplicates(choices, pillar.id, question.id, "choices", "choice id")
    for i, choice in enumerate(question.choices):
        if not choice.none_of_these and not (
            choice.improvementPlan and choice.improvementPlan.displayText
        ):
            out.append(problem(f"choices[{i}].improvementPlan.displayText", "is required"))
        for kind in ("HELPFUL_RESOURCE", "IMPROVEMENT_PLAN"):
            if sum(g.type == kind for g in choice.additionalResources) > 1:
                out.append(problem(f"choices[{i}].additionalResources", f"lists {kind} twice"))
    defaults = [r for r in question.riskRules if r.condition.strip() == lens_rules.DEFAULT]
    if len(defaults) > 1:
        out.append(problem("riskRules", f"has {len(defaults)} 'default' rules; one at most"))
    for i, rule in enumerate(question.riskRules):
        out += [problem(f"riskRules[{i}].condition", m) for m in _condition_problems(rule, choices)]
    return out


def _condition_problems(rule: RiskRule, choices: list[str]) -> list[str]:
    if rule.condition.strip() == lens_rules.DEFAULT:
        return []
    try:
        tree = lens_rules.parse(rule.condition)
    except lens_rules.ConditionError as error:
        return [f"{error} in {rule.condition!r}"]
    unknown = sorted(lens_rules.choice_ids(tree) - set(choices))
    return [f"names {cid!r}, which is not a choice of this question" for cid in unknown]


def lens_warnings(lens: Lens, raw: bytes | str | None = None) -> list[LensProblem]:
    """What imports but deserves a look: a key written in the wrong case (`Url` for `url`),
    ignored as every unknown key is (with `raw`, the file read); a question without a
    `default` rule (when none of its rules holds it reads as high risk, as an unknown is
    never safe)."""
    keys = _miscased_keys(_json(raw)) if raw is not None else []
    return keys + _never_holding(lens) + [
        LensProblem(
            p.id,
            q.id,
            "riskRules",
            "has no 'default' rule; when no rule holds, the question reads as high risk",
        )
        for p, q in lens.questions()
        if not any(r.condition.strip() == lens_rules.DEFAULT for r in q.riskRules)
    ]


def _never_holding(lens: Lens) -> list[LensProblem]:
    """Rules no choice of answers can make true (`a && !a`): their risk is never given. Every
    combination of the choices a rule names is tried, for rules naming at most 10 (1,024
    combinations: a whole lens stays well under a second)."""
    out = []
    for pillar, question in lens.questions():
        for i, rule in enumerate(question.riskRules):
            if rule.condition.strip() == lens_rules.DEFAULT:
                continue
            tree = lens_rules.parse(rule.condition)  # read_lens checked it parses
            names = sorted(lens_rules.choice_ids(tree))
            if len(names) <= 10 and not any(lens_rules.holds(tree, set(chosen))
                       for n in range(len(names) + 1)
                       for chosen in itertools.combinations(names, n)):
                out.append(LensProblem(pillar.id, question.id, f"riskRules[{i}].condition",
                                       f"{rule.condition!r} can never hold, whatever is "
                                       f"chosen: its {rule.risk} is never given"))
    return out


def _miscased_keys(data: dict[str, Any]) -> list[LensProblem]:
    """Keys that are a lens file's own but for their case: the model ignores them."""
    out: list[LensProblem] = []

    def walk(node: Any, model: type[BaseModel], where: tuple[str | None, str | None],
             field: str) -> None:
        if not isinstance(node, dict):
            return
        known = {name.lower(): name for name in model.model_fields}
        for key, value in node.items():
            own = known.get(str(key).lower())
            if own is not None and own != key:
                place = f"{field}.{key}" if field else str(key)
                out.append(LensProblem(*where, place, f"is not a key of a lens file; did you "
                                                      f"mean {own!r}? It was ignored"))
            child = _CHILDREN.get((model, str(key)))
            if child is None:
                continue
            items = value if isinstance(value, list) else [value]
            for i, item in enumerate(items):
                at = where
                if child is Pillar and isinstance(item, dict):
                    at = (str(item.get("id") or f"#{i + 1}"), None)
                elif child is Question and isinstance(item, dict):
                    at = (where[0], str(item.get("id") or f"#{i + 1}"))
                name = f"{key}[{i}]" if isinstance(value, list) else str(key)
                inner = "" if child in (Pillar, Question) else (
                    f"{field}.{name}" if field else name)
                walk(item, child, at, inner)

    walk(data, Lens, (None, None), "")
    return out


_CHILDREN: dict[tuple[type[BaseModel], str], type[BaseModel]] = {
    (Lens, "pillars"): Pillar,
    (Pillar, "questions"): Question,
    (Question, "helpfulResource"): Resource,
    (Question, "choices"): Choice,
    (Question, "riskRules"): RiskRule,
    (Choice, "helpfulResource"): Resource,
    (Choice, "improvementPlan"): Plan,
    (Choice, "additionalResources"): AdditionalResources,
    (AdditionalResources, "content"): Resource,
}


def slug(name: str) -> str:
    """A lens's Faultline id, from its name: lowercase words joined by hyphens."""
    words = re.findall(r"[a-z0-9]+", name.lower())
    return "-".join(words)[:80].strip("-") or "lens"
