"""Problems found in content or answers, and the exceptions that carry them.

A problem always names the file, the place in it and what is wrong, so that whoever edits the
YAML can go straight to the line.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    place: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return (
            f"{where}: {self.place}: {self.message}" if self.place else f"{where}: {self.message}"
        )


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def summarize(problems: list[Problem], what: str) -> str:
    """One block: a one-line summary, then one line per problem."""
    files = {p.file for p in problems}
    head = f"{what}: {_plural(len(problems), 'problem')} in {_plural(len(files), 'file')}"
    return "\n".join([head, *(f"  {p}" for p in problems)])


class ProblemsError(Exception):
    """Base for errors that carry a list of problems."""

    label = "Invalid input"

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        super().__init__(summarize(self.problems, self.label))

    def __str__(self) -> str:
        return summarize(self.problems, self.label)


class ContentError(ProblemsError):
    """The questionnaire, rule or scenario content is invalid."""

    label = "Faultline content is invalid"


class AnswersError(ProblemsError):
    """An answers file (or answers built elsewhere) does not fit the questionnaire."""

    label = "Answers do not fit the questionnaire"
