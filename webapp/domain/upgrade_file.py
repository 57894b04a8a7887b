"""`faultline upgrade answers.yaml`: an answers file carried to the newest questionnaire version.

The new file is complete YAML (answers-file syntax) headed by comments that keep what could not
travel: answers to retired questions with the reason and the team's note, and answers that could
not be carried. The original file is never changed.
"""

from __future__ import annotations

from dataclasses import dataclass

import yaml

from .answer_checks import parse_answers, validate_answers
from .answers import Answer, answers_to_dict, read_answers
from .content import Content
from .errors import AnswersError, Problem
from .text import counted, first_upper
from .upgrade import Carried, UpgradeReport, upgrade_answers
from .yamlio import YamlSyntaxError, parse_yaml


class UpgradeRefused(Exception):
    """The file cannot be upgraded; the message says why and what to do."""


@dataclass
class UpgradedFile:
    text: str
    report: UpgradeReport

    def summary(self, source: str, target: str) -> list[str]:
        r = self.report
        renamed = sum(1 for c in r.carried if c.old != c.new)
        lines = [f"Upgraded {source} from version {r.from_version} to version {r.to_version} "
                 f"of '{r.questionnaire}' and wrote {target}.",
                 f"  {first_upper(counted(len(r.carried), 'answer'))} carried"
                 + (f" ({renamed} under a new question id)" if renamed else "") + "."]
        if r.retired:
            lines.append(f"  {counted(len(r.retired), 'answer or note', 'answers or notes')} to "
                         f"retired questions kept as comments at the top of {target}:")
            lines += [f"    - {_where(c)}{c.old}: {c.why}" for c in r.retired]
        if r.dropped:
            lines.append(f"  {counted(len(r.dropped), 'answer')} could not be carried; "
                         "answer again:")
            lines += [f"    - {_where(c)}{c.new}: {c.why}" for c in r.dropped]
        new = len(r.new_questions)
        lines.append(f"  {first_upper(counted(new, 'question'))} "
                     f"{'is' if new == 1 else 'are'} new in version {r.to_version} "
                     "and unanswered." if new else
                     f"  No questions are new in version {r.to_version}.")
        return lines


def _where(c: Carried) -> str:
    return f"workflow '{c.workflow}': " if c.workflow is not None else ""


def _said(answer: Answer) -> str:
    if answer.na is not None:
        return f"not applicable ({answer.na})"
    return ", ".join(answer.choices) or "(no answer)"


def upgrade_text(content: Content, text: str, source: str = "answers.yaml") -> UpgradedFile:
    """The upgraded file's text. Raises AnswersError (the file is not valid on its own version)
    or UpgradeRefused (nothing to upgrade to)."""
    try:
        data, lines = parse_yaml(text)
    except YamlSyntaxError as exc:
        raise AnswersError([Problem(source, "", str(exc), exc.line)]) from None
    peek, problems = read_answers(data, source, lines)
    if problems:
        raise AnswersError(problems)
    qid = peek.questionnaire or content.questionnaire().id
    try:
        newest = content.questionnaire(qid)
    except KeyError as exc:
        raise UpgradeRefused(str(exc.args[0])) from None
    if newest.upgrade is None:
        raise UpgradeRefused(f"version {newest.version} of '{qid}' names no upgrade mapping; "
                             "there is nothing to upgrade to")
    version = peek.version if peek.version is not None else newest.upgrade.from_version
    if version == newest.version:
        raise UpgradeRefused(f"{source} is already on version {version}, the newest of '{qid}'")
    if version != newest.upgrade.from_version:
        raise UpgradeRefused(f"{source} is on version {version}; version {newest.version} "
                             f"upgrades from version {newest.upgrade.from_version} only")
    if isinstance(data, dict) and data.get("version") is None:
        data = dict(data, version=version)
    old = content.questionnaire(qid, version)
    answers = parse_answers(data, content, source, lines)
    upgraded, report = upgrade_answers(newest, old, answers)
    problems = validate_answers(content.index(qid, newest.version), upgraded, source)
    if problems:  # the mapping is checked at load, so this is a bug, never the user's file
        raise UpgradeRefused("the upgraded answers do not fit the new version: "
                             + "; ".join(str(p) for p in problems))
    head = [f"# Upgraded from version {report.from_version} to version {report.to_version} "
            f"of '{qid}' by `faultline upgrade`."]
    if report.retired or report.dropped:
        head.append("# Not carried (kept here so nothing is lost):")
        for c in report.retired:
            head.append(f"#   {_where(c)}{c.old}: {_said(c.before)} - retired: {c.why}")
            if c.note:
                head += [f"#     note: {line}" for line in c.note.splitlines()]
        for c in report.dropped:
            head.append(f"#   {_where(c)}{c.old}: {_said(c.before)} - {c.why}")
    body = yaml.safe_dump(answers_to_dict(upgraded), sort_keys=False, allow_unicode=True,
                          width=100)
    return UpgradedFile("\n".join(head) + "\n" + body, report)
