"""Relevance: which questions the answers so far make irrelevant (`ask_if`).

A question (or a whole section) with `ask_if` is asked only while its condition can hold. The
condition reads earlier questions only, so one pass in questionnaire order decides everything:
a hidden question reads as not applicable, with the reason "Does not apply because …", to the
questions, rules and scenarios after it.

Unknown never hides a question: while a question the condition reads is blank, "We don't know"
or a refused not applicable, the question is asked whenever some answer to the open questions
could make the condition hold (`unknowns.could`). So a question is hidden only by known answers,
and hiding never turns an unknown into a safe "not applicable".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from .answers import Answer
from .conditions import Condition
from .content import Compiled
from .index import QuestionnaireIndex
from .unknowns import could, flags_from

Answers_ = Mapping[str, Answer]
PREFIX = "Does not apply because "


def reads(index: QuestionnaireIndex, condition: Condition) -> list[str]:
    """The questions a condition reads: its own and the fit questions of its flags."""
    fit = [index.criteria[f][0].id for f in condition.flags if f in index.criteria]
    return index.sort({*condition.questions, *fit})


def may_hold(index: QuestionnaireIndex, condition: Condition, answers: Answers_) -> bool:
    """True when the condition holds, or could hold once its open questions are answered."""
    if condition(answers, flags_from(index, answers)):
        return True
    return could(index, answers, reads(index, condition), condition.test)


def reason_text(index: QuestionnaireIndex, condition: Condition, reason: str | None,
                answers: Answers_) -> str:
    """"Does not apply because <reason>." — or, without a written reason, the deciding answers."""
    if reason:
        text = reason.strip()
    else:
        parts = []
        for qid in reads(index, condition):
            info, answer = index.questions[qid], answers.get(qid)
            if answer is None:
                continue
            said = ("not applicable" if answer.na is not None
                    else ", ".join(info.labels.get(c, c) for c in answer.choices))
            parts.append(f"the answer to \u201c{info.question.text}\u201d is \u201c{said}\u201d")
        text = " and ".join(parts) or "of earlier answers"
    return PREFIX + text + ("" if text.endswith((".", "!", "?")) else ".")


def hidden(compiled: Compiled, answers: Answers_, qids: Iterable[str] | None = None
           ) -> dict[str, str]:
    """Question id -> "Does not apply because …" for each of `qids` (default: every question
    with a relevance condition) that the answers make irrelevant, in questionnaire order."""
    index = compiled.index
    wanted = compiled.ask_ifs if qids is None else {
        q: compiled.ask_ifs[q] for q in qids if q in compiled.ask_ifs}
    if not wanted:
        return {}
    effective = dict(answers)
    out: dict[str, str] = {}
    for qid in index.sort(set(wanted)):
        for condition, reason in wanted[qid]:
            if not may_hold(index, condition, effective):
                out[qid] = reason_text(index, condition, reason, effective)
                effective[qid] = Answer.not_applicable(out[qid])
                break
    return out


def apply(answers: Answers_, gone: Mapping[str, str]) -> dict[str, Answer]:
    """`answers` with every hidden question read as not applicable with its reason (an answer
    given before the question became irrelevant is kept by the caller, never used here)."""
    out = dict(answers)
    for qid, why in gone.items():
        out[qid] = Answer.not_applicable(why)
    return out
