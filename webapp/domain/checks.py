"""`faultline check`: validate content, run every rule's examples, lint."""

from __future__ import annotations

from pathlib import Path

from .answers import Answer
from .content import Content
from .errors import ContentError, Problem
from .lint import flags_of, lint
from .loader import load_content
from .yamlio import place


def rule_fires(content: Content, rule_id: str, answers: dict[str, Answer]) -> bool:
    """Whether the rule fires on these answers (fit flags derived from them)."""
    compiled = content.compiled[content.homes[rule_id]] if rule_id in content.homes \
        else content.engine()
    return compiled.rules[rule_id](answers, flags_of(compiled.index, answers))


def example_problems(content: Content) -> list[Problem]:
    problems = []
    for rule in content.rules:
        if rule.id not in content.examples:
            continue
        file, path, line = content.places[f"rule:{rule.id}"]
        fires, quiet = content.examples[rule.id]
        for kind, examples, expected in (("fires", fires, True), ("quiet", quiet, False)):
            for k, example in enumerate(examples):
                if rule_fires(content, rule.id, example) != expected:
                    verb = "does not fire" if expected else "fires"
                    problems.append(
                        Problem(
                            file,
                            place(path + ("examples", kind, k)),
                            f"rule '{rule.id}' {verb} on this example",
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
