"""`load_content`: read, validate and compile everything under a content directory."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from . import crossref
from .content import Compiled, Content, ExampleSet
from .crossref import belongs
from .errors import ContentError, Problem
from .index import QuestionnaireIndex
from .models import Questionnaire, Rule, RulesFile, ScenariosFile
from .qcheck import check_questionnaire
from .upgrade import aliases, check_upgrade
from .yamlio import YamlSyntaxError, line_of, place, read_yaml

log = logging.getLogger(__name__)
Path_ = tuple[str | int, ...]


@dataclass
class _Source:
    name: str
    model: Any
    lines: dict[Path_, int]


@dataclass
class _Loader:
    root: Path
    problems: list[Problem] = field(default_factory=list)
    sources: dict[str, _Source] = field(default_factory=dict)

    def add(self, file: str, path: Path_, message: str) -> None:
        lines = self.sources[file].lines if file in self.sources else {}
        self.problems.append(Problem(file, place(path), message, line_of(lines, path)))

    def read(self, path: Path, schema: type[BaseModel] | None) -> _Source | None:
        name = path.relative_to(self.root).as_posix()
        try:
            data, lines = read_yaml(path)
        except YamlSyntaxError as exc:
            self.problems.append(Problem(name, "", str(exc), exc.line))
            return None
        self.sources[name] = _Source(name, None, lines)
        schema = schema or self._rules_schema(name, data)
        return self._validate(name, data, schema) if schema else None

    def _rules_schema(self, name: str, data: Any) -> type[BaseModel] | None:
        kind = data.get("kind") if isinstance(data, dict) else None
        schemas = {"rules": RulesFile, "scenarios": ScenariosFile}
        if kind not in schemas:
            self.add(name, ("kind",), f"'kind' must be rules or scenarios, not {kind!r}")
        return schemas.get(kind)

    def _validate(self, name: str, data: Any, schema: type[BaseModel]) -> _Source | None:
        try:
            self.sources[name].model = schema.model_validate(data)
        except ValidationError as exc:
            for error in exc.errors():
                self.add(name, tuple(error["loc"]), _message(error))
            return None
        return self.sources[name]


def _message(error: Any) -> str:
    if error["type"] == "missing":
        return "is required"
    if error["type"] == "extra_forbidden":
        return "unknown key"
    if error["type"] == "string_pattern_mismatch":
        return f"{error['input']!r} is not an id (lowercase kebab-case segments joined by dots)"
    return error["msg"][:1].lower() + error["msg"][1:]


def _digest(loader: _Loader) -> str:
    digest = hashlib.sha256()
    for name in sorted(loader.sources):
        digest.update(name.encode() + b"\0" + (loader.root / name).read_bytes() + b"\0")
    return digest.hexdigest()


def load_content(content_dir: Path | str) -> Content:
    """Every questionnaire and rule file under `content_dir`, validated and compiled.

    Raises ContentError listing every problem found.
    """
    loader = _Loader(Path(content_dir))
    questionnaires = _questionnaires(loader)
    rule_sources = [s for p in _files(loader, "rules") if (s := loader.read(p, None))]
    if loader.problems:
        raise ContentError(sorted(loader.problems, key=_order))
    content = _assemble(loader, questionnaires, rule_sources)
    if loader.problems:
        raise ContentError(sorted(loader.problems, key=_order))
    log.info(
        "loaded %s questionnaire(s), %s rules, %s scenarios",
        len(content.questionnaires),
        len(content.rules),
        len(content.scenarios),
    )
    return content


def _order(problem: Problem) -> tuple[str, int, str, str]:
    return (problem.file, problem.line or 0, problem.place, problem.message)


def _files(loader: _Loader, folder: str) -> list[Path]:
    directory = loader.root / folder
    files = (
        sorted(directory.glob("*.yaml")) + sorted(directory.glob("*.yml"))
        if directory.is_dir()
        else []
    )
    if not files:
        loader.problems.append(Problem(f"{folder}/", "", "no .yaml files found"))
    return files


def _questionnaires(loader: _Loader) -> list[tuple[str, Questionnaire]]:
    found = []
    for path in _files(loader, "questionnaires"):
        source = loader.read(path, Questionnaire)
        if source is None:
            continue
        for where, message in check_questionnaire(source.model):
            loader.add(source.name, where, message)
        found.append((source.name, source.model))
    ids = [(name, (), f"{q.id} v{q.version}") for name, q in found]
    for file, _, message in crossref.duplicate_ids(ids, "questionnaire"):
        loader.add(file, ("version",), message.replace(" id ", " "))
    return found


def _assemble(
    loader: _Loader, questionnaires: list[tuple[str, Questionnaire]], sources: list[_Source]
) -> Content:
    rules = [
        (s.name, ("rules", i), r)
        for s in sources
        if isinstance(s.model, RulesFile)
        for i, r in enumerate(s.model.rules)
    ]
    scenario_files = [s for s in sources if isinstance(s.model, ScenariosFile)]
    outcomes = [
        (s.name, ("outcomes", i), o) for s in scenario_files for i, o in enumerate(s.model.outcomes)
    ]
    scenarios = [
        (s.name, ("scenarios", i), sc)
        for s in scenario_files
        for i, sc in enumerate(s.model.scenarios)
    ]
    content = Content(
        loader.root,
        sorted((q for _, q in questionnaires), key=lambda q: (q.id, -q.version)),
        [r for _, _, r in rules],
        [sc for _, _, sc in scenarios],
        {o.id: o for _, _, o in outcomes},
    )
    content.digest = _digest(loader)
    content.questionnaire_files = {(q.id, q.version): name for name, q in questionnaires}
    content.files = {r.id: file for file, _, r in rules} | {
        sc.id: file for file, _, sc in scenarios
    }
    content.places = {
        f"rule:{r.id}": (f, p, line_of(loader.sources[f].lines, p)) for f, p, r in rules
    }
    content.places |= {
        f"scenario:{s.id}": (f, p, line_of(loader.sources[f].lines, p)) for f, p, s in scenarios
    }
    _report(loader, crossref.duplicate_ids([(f, p, r.id) for f, p, r in rules], "rule"))
    _report(loader, crossref.duplicate_ids([(f, p, s.id) for f, p, s in scenarios], "scenario"))
    _report(loader, crossref.check_outcomes(outcomes))
    _report(loader, crossref.check_prerequisites(rules))
    for q in content.questionnaires:
        strict = q is content.questionnaire()
        _compile(loader if strict else _Loader(loader.root), content, q, rules, scenarios, strict,
                 loader)
    for name, q in questionnaires:
        _report(loader, [(name, p, m) for p, m in crossref.unused_tags(q, content.rules)])
        old = _version(content, q.id, q.upgrade.from_version) if q.upgrade else None
        _report(loader, [(name, p, m) for p, m in check_upgrade(q, old)])
    return content


def _version(content: Content, qid: str, version: int) -> Questionnaire | None:
    try:
        return content.questionnaire(qid, version)
    except KeyError:
        return None


def _report(loader: _Loader, found: list[tuple[str, Path_, str]]) -> None:
    for file, path, message in found:
        loader.add(file, path, message)


def _compile(
    loader: _Loader,
    content: Content,
    q: Questionnaire,
    rules: list,
    scenarios: list,
    strict: bool = True,
    loud: _Loader | None = None,
) -> None:
    """Compiles rules and scenarios against `q`. The newest version reports every problem; an
    older one leaves out what belongs to a newer version (`since`, or questions it lacks), so
    new content never changes the results of an assessment on an older version. The one
    exception is an older condition of a revised rule: `q` is the version that reads it, so its
    problems and its examples are reported to `loud` (the loader of the newest version)."""
    compiled = Compiled(QuestionnaireIndex.build(q))
    content.compiled[(q.id, q.version)] = compiled
    for newer in content.questionnaires:
        if newer.id == q.id and newer.upgrade and newer.upgrade.from_version == q.version:
            compiled.aliases = aliases(newer, q)
    for file, path, rule in rules:
        if not belongs(rule, q.version):
            continue
        rule, moved = as_of(rule, q.version)
        compiled.views[rule.id] = rule
        found = crossref.check_rule(rule, compiled.index)
        found += crossref.compile_rule(rule, compiled)
        problems, examples = crossref.read_examples(rule, compiled.index)
        sets = content.example_sets.setdefault(rule.id, [])
        older = bool(sets) and moved(("examples",)) not in {s.prefix for s in sets}
        if not strict and found and not older:
            compiled.rules.pop(rule.id, None)
            if rule.id in compiled.contradictions:
                compiled.contradictions.remove(rule.id)
        elif not sets or older:  # newest version first: the rule's own, then older conditions
            sets.append(ExampleSet((q.id, q.version), moved(("examples",)), *examples))
            if rule.id not in content.examples:
                content.examples[rule.id] = examples
                content.homes[rule.id] = (q.id, q.version)
        _report(loud if older and loud else loader,
                [(file, path + moved(where), message) for where, message in found + problems])
    for file, path, scenario in scenarios:
        if not belongs(scenario, q.version):
            continue
        found = crossref.compile_scenario(scenario, compiled, set(content.outcomes), q.version)
        if not strict and found:
            compiled.outcomes.pop(scenario.id, None)
        _report(loader, [(file, path + where, message) for where, message in found])
    name = next((n for n, s in loader.sources.items() if s.model is q), "questionnaires/")
    found = crossref.compile_question_conditions(compiled)
    _report(loader, [(name, where, message) for where, message in found])


def as_of(rule: Rule, version: int) -> tuple[Rule, Callable[[Path_], Path_]]:
    """The rule as this questionnaire version reads it (its last revision `since` it or an
    earlier version), and how a problem's path in that view maps back to the file."""
    k = max((k for k, r in enumerate(rule.revised) if r.since <= version), default=None)
    if k is None:
        return rule, lambda where: where
    revision = rule.revised[k]
    view = rule.model_copy(update={"when": revision.when, "examples": revision.examples})

    def moved(where: Path_) -> Path_:
        return ("revised", k, *where) if where[:1] in (("when",), ("examples",)) else where

    return view, moved


def default_content_dir() -> Path:
    """The project folder holding questionnaires/ and rules/ (next to the webapp package)."""
    return Path(__file__).resolve().parents[2]
