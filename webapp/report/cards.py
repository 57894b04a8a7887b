"""The typed result's parts as the report template's plain cards (findings, workflows, answers).

Every value comes from a typed field; nothing here guesses a shape. A workflow is told apart by
its position, never by its name, so two workflows of the same name keep their own findings,
answers and anchors.
"""

from __future__ import annotations

import re

from webapp.domain.result import AnswerView, Finding, QuestionRef, Result, Scenario, Workflow
from webapp.report.notes import render_note

#: Scenario statuses the summary counts; a scenario can also be "not-applicable" (the workflow
#: touches nothing it is about), shown as such and counted in none of them.
STATUSES = ("safe", "unsafe", "unknown")
SHOWN_STATUSES = (*STATUSES, "not-applicable")
LONG_FINDING_CHARS = 1600  # about half an A4 page of card text
EVIDENCE_STATUS = {"applied": "Accepted", "agrees": "Accepted", "overridden": "Overridden",
                   "pending": "Pending"}


def slug(*parts: object) -> str:
    text = "-".join(str(p) for p in parts if p not in (None, ""))
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "x"


def score(value: float | None) -> int | None:
    """Half up: 44.5 prints as 45, as a reader expects."""
    return None if value is None else int(float(value) + 0.5)


def finding_anchor(rule_id: str, position: int | None = None) -> str:
    """The HTML id of a finding (`position` None or < 0: the system's), on every page."""
    if position is None or position < 0:
        return f"finding-{rule_id}"
    return f"finding-{rule_id}--{position}"


def workflow_anchor(workflow: Workflow) -> str:
    return "workflow-" + slug(workflow.position + 1, workflow.name)


def na_text(answer: AnswerView) -> str | None:
    return answer.na_reason if answer.status == "na" else None


class AnswerIndex:
    """The appendix rows, and each question's row by (workflow position or -1, question id)."""

    def __init__(self, result: Result) -> None:
        self.rows: list[dict] = []
        self.by_key: dict[tuple[int, str], dict] = {}
        for section in result.answers.sections:
            self._add(section.questions, section.title, None, -1)
        for workflow in result.answers.workflows:
            for section in workflow.sections:
                self._add(section.questions, section.title, workflow.name, workflow.position)

    def _add(self, questions, section: str, workflow: str | None, position: int) -> None:
        for q in questions:
            na = na_text(q.answer)
            row = {"id": q.id, "text": q.text, "answer": q.answer.text,
                   "answered": bool(q.answer.text) or na is not None, "score": score(q.score),
                   "na_reason": na, "note_html": render_note(q.note),
                   "evidence_html": render_note(q.evidence), "section": section,
                   "workflow": workflow, "asked": q.asked, "new": q.new}
            self.rows.append(row)
            self.by_key.setdefault((position, q.id), row)

    def row(self, position: int, qid: str) -> dict:
        return self.by_key.get((position, qid)) or self.by_key.get((-1, qid)) or {}

    def shown(self, ref: QuestionRef, position: int) -> dict:
        return self._line(ref.question, ref.text, ref.answer, position)

    def bare(self, qid: str, position: int) -> dict:
        known = self.row(position, qid)
        return {"id": qid, "text": known.get("text") or qid,
                "answer": known.get("answer") or _na_line(known.get("na_reason"))
                or "Unanswered", "note_html": known.get("note_html") or ""}

    def _line(self, qid: str, text: str, answer: AnswerView, position: int) -> dict:
        shown = answer.text or _na_line(na_text(answer))
        if not shown:
            known = self.row(position, qid)
            shown = known.get("answer") or _na_line(known.get("na_reason")) or "Unanswered"
        note = self.row(position, qid).get("note_html") or ""
        return {"id": qid, "text": text or qid, "answer": shown, "note_html": note}


def _na_line(reason: str | None) -> str | None:
    return "Not applicable: " + reason if reason else None


def finding_card(f: Finding, answers: AnswerIndex) -> dict:
    card = {
        "rule": f.rule,
        "title": f.title,
        "severity": f.severity,
        "priority": round(float(f.priority), 1),
        "bucket": f.bucket,
        "workflow": f.workflow,
        "workflow_id": f.workflow_id,
        "position": f.position if f.position >= 0 else None,
        "scope": f.workflow or "System",
        "effort": f.effort,
        "quick_win": f.quick_win,
        "area": (f.pattern or f.layer or "").replace("_", " ").replace("-", " ").capitalize(),
        "rationale": f.rationale,
        "remediation": list(f.remediation),
        "verification": list(f.verification),
        "references": [f"{x.title} ({x.url})" if x.url and x.url != x.title else x.title
                       for x in f.references],
        "prerequisites": list(f.prerequisites),
        "because": [answers.shown(ref, f.position) for ref in f.because],
        "anchor": finding_anchor(f.rule, f.position),
    }
    card["long"] = _is_long(card)
    return card


def _is_long(card: dict) -> bool:
    """Long cards may break between their blocks; short ones stay whole on one page."""
    texts = [card["rationale"], *card["remediation"], *card["verification"],
             *card["references"], *(b["text"] + b["answer"] for b in card["because"])]
    return sum(len(t) + 60 for t in texts) > LONG_FINDING_CHARS


def plan_order(result: Result) -> list[Finding]:
    """Findings in plan order; any the plan leaves out follow by priority."""
    by_key = {f.key: f for f in result.findings}
    ordered = [by_key[s.key] for s in result.plan if s.key in by_key]
    seen = {f.key for f in ordered}
    rest = [f for f in result.findings if f.key not in seen]
    return ordered + sorted(rest, key=lambda f: -f.priority)


def scenario_view(s: Scenario, position: int, answers: AnswerIndex) -> dict:
    return {"id": s.id, "title": s.title, "outcome": s.label, "explain": s.explain,
            "status": s.status if s.status in SHOWN_STATUSES else "unknown",
            "because": [answers.bare(q, position) for q in s.because]}


def workflow_view(w: Workflow, answers: AnswerIndex) -> dict:
    return {
        "name": w.name,
        "id": w.id,
        "position": w.position,
        "anchor": workflow_anchor(w),
        "description": "",
        "facts": [{"label": d.describes.replace("_", " ").replace("-", " ").capitalize(),
                   "value": d.answer.text or na_text(d.answer) or "Unanswered"}
                  for d in w.description],
        "score": score(w.score),
        "coverage": score(w.coverage.percent),
        "patterns": [{"id": p.id, "title": p.title, "score": score(p.score), "status": p.status}
                     for p in w.patterns],
        "scenarios": [scenario_view(s, w.position, answers) for s in w.scenarios],
        "evidence": evidence_view(w),
    }


def evidence_view(w: Workflow) -> dict:
    """What the automated reviewer saw in the workflow's files: suggested answers with their
    status, and its findings; empty lists when no file was linked."""
    suggestions = [{"question": e.question, "question_text": e.question_text,
                    "choice": e.choice, "label": e.label, "file": e.file, "line": e.line,
                    "rule": e.rule, "rule_title": e.rule_title, "text": e.text,
                    "where": f"{e.file}:{e.line}", "status": e.status,
                    "status_label": EVIDENCE_STATUS.get(e.status, "Pending")}
                   for e in w.evidence]
    findings = [{"rule": f.rule, "title": f.title, "severity": f.severity, "file": f.file,
                 "line": f.line, "message": f.message, "where": f"{f.file}:{f.line}"}
                for f in w.automation.findings]
    return {"files": list(w.automation.files), "suggestions": suggestions, "findings": findings}
