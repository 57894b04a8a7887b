"""Loaded, validated content: questionnaires, rules and scenarios with compiled conditions."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .answers import Answer
from .conditions import Condition
from .index import QuestionnaireIndex
from .models import OutcomeDef, Questionnaire, Rule, Scenario

Example = dict[str, Answer]


@dataclass(frozen=True)
class ExampleSet:
    """A rule's examples as one questionnaire version reads the rule: its own condition or a
    `revised` one (`prefix` locates those examples in the rule, e.g. ("revised", 0))."""

    home: tuple[str, int]
    prefix: tuple[str | int, ...]
    fires: list[Example]
    quiet: list[Example]


@dataclass
class Compiled:
    """Rules and scenario outcomes compiled against one questionnaire."""

    index: QuestionnaireIndex
    rules: dict[str, Condition] = field(default_factory=dict)
    outcomes: dict[str, list[Condition]] = field(default_factory=dict)
    #: question id -> (condition, reason) under which not applicable is refused
    na_refusals: dict[str, list[tuple[Condition, str]]] = field(default_factory=dict)
    #: question id -> choice id -> (condition, score) replacing the choice's score when it holds
    score_ifs: dict[str, dict[str, list[tuple[Condition, int]]]] = field(default_factory=dict)
    contradictions: list[str] = field(default_factory=list)  # ids of `contradiction` rules
    #: rule id -> the rule as this version reads it (`revised`); scenario id -> likewise
    views: dict[str, Rule] = field(default_factory=dict)
    scenario_views: dict[str, Scenario] = field(default_factory=dict)
    #: an older version: newer question id -> (its id here, newer choice -> choices here)
    aliases: dict[str, tuple[str, dict[str, list[str]]]] = field(default_factory=dict)
    #: question id -> (condition, reason) of its section's and its own `ask_if`, in that order
    ask_ifs: dict[str, list[tuple[Condition, str | None]]] = field(default_factory=dict)
    #: per fit profile (its flags): weights and rule factors, worked out once and reused
    profiles: dict[tuple[str, frozenset[str]], Any] = field(default_factory=dict)


@dataclass
class Content:
    directory: Path
    questionnaires: list[Questionnaire]
    rules: list[Rule]
    scenarios: list[Scenario]
    outcomes: dict[str, OutcomeDef]
    files: dict[str, str] = field(default_factory=dict)
    #: "rule:<id>" / "scenario:<id>" -> (file, path in it, line) for problem messages
    places: dict[str, tuple[str, tuple[str | int, ...], int | None]] = field(default_factory=dict)
    examples: dict[str, tuple[list[Example], list[Example]]] = field(default_factory=dict)
    compiled: dict[tuple[str, int], Compiled] = field(default_factory=dict)
    #: (questionnaire id, version) -> its file, for problem messages
    questionnaire_files: dict[tuple[str, int], str] = field(default_factory=dict)
    #: rule id -> (questionnaire id, version): the newest version it belongs to (its examples)
    homes: dict[str, tuple[str, int]] = field(default_factory=dict)
    #: rule id -> its examples per condition it has had (newest first): a revised rule's
    #: older examples are checked against the version that reads its older condition
    example_sets: dict[str, list[ExampleSet]] = field(default_factory=dict)
    #: sha256 of every content file read (names and bytes): changes when any of them does
    digest: str = ""

    def questionnaire(self, qid: str | None = None, version: int | None = None) -> Questionnaire:
        """The questionnaire `qid` at `version` (default: the first id, newest version)."""
        qid = qid or self.questionnaires[0].id
        versions = sorted((q for q in self.questionnaires if q.id == qid), key=lambda q: q.version)
        if not versions:
            raise KeyError(f"no questionnaire '{qid}' (have: {', '.join(self.ids())})")
        if version is None:
            return versions[-1]
        for q in versions:
            if q.version == version:
                return q
        have = ", ".join(str(q.version) for q in versions)
        raise KeyError(f"questionnaire '{qid}' has no version {version} (have: {have})")

    def ids(self) -> list[str]:
        return sorted({q.id for q in self.questionnaires})

    def engine(self, qid: str | None = None, version: int | None = None) -> Compiled:
        q = self.questionnaire(qid, version)
        return self.compiled[(q.id, q.version)]

    def index(self, qid: str | None = None, version: int | None = None) -> QuestionnaireIndex:
        return self.engine(qid, version).index

    def rule(self, rule_id: str) -> Rule:
        return next(r for r in self.rules if r.id == rule_id)

    def rules_for(self, compiled: Compiled) -> list[Rule]:
        """The rules of one questionnaire version (a rule `since` a newer one is left out)."""
        return [compiled.views.get(r.id, r) for r in self.rules if r.id in compiled.rules]

    def scenarios_for(self, compiled: Compiled) -> list[Scenario]:
        """The scenarios of one questionnaire version, each as that version reads it."""
        return [compiled.scenario_views.get(s.id, s) for s in self.scenarios
                if s.id in compiled.outcomes]

    def scenario(self, compiled: Compiled, scenario_id: str) -> Scenario:
        return compiled.scenario_views.get(scenario_id) or next(
            s for s in self.scenarios if s.id == scenario_id)
