"""`faultline check`: validate content, run every rule's examples, lint."""

from __future__ import annotations

from pathlib import Path

from .answers import Answer
from .content import Content
from .errors import ContentError, Problem
from .lint import flags_of, lint
from .loader import load_content
from .yamlio import place


def rule_fires(content: Content, rule_id: str, answers: dict[str, Answer],
               home: tuple[str, int] | None = None) -> bool:
    """Whether the rule fires on these answers (fit flags derived from them), as questionnaire
    `home` (default: the newest version the rule belongs to) reads it."""
    home = home or content.homes.get(rule_id)
    compiled = content.compiled[home] if home else content.engine()
    return compiled.rules[rule_id](answers, flags_of(compiled.index, answers))


def example_problems(content: Content) -> list[Problem]:
    """Every example that contradicts its rule: each condition a rule has had (its own and each
    `revised` one) is run on its own examples, in the version that reads it."""
    problems = []
    for rule in content.rules:
        file, path, line = content.places[f"rule:{rule.id}"]
        for examples in content.example_sets.get(rule.id, []):
            for kind, found, expected in (("fires", examples.fires, True),
                                          ("quiet", examples.quiet, False)):
                for k, example in enumerate(found):
                    if rule_fires(content, rule.id, example, examples.home) == expected:
                        continue
                    verb = "does not fire" if expected else "fires"
                    version = (f" (version {examples.home[1]})"
                               if len(content.example_sets[rule.id]) > 1 else "")
                    problems.append(
                        Problem(
                            file,
                            place(path + examples.prefix + (kind, k)),
                            f"rule '{rule.id}'{version} {verb} on this example",
                            line,
                        )
                    )
    return problems


def run_check(content_dir: Path | str) -> tuple[Content | None, list[Problem]]:
    """The loaded content (None when invalid) and every problem: validation, examples, lint."""
    try:
        content = load_content(content_dir)
    except ContentError as exc:
        return None, exc.problems
    return content, example_problems(content) + lint(content)
