"""`result_to_dict`: the review as plain, deterministic data (the `report --format json` shape).

Everything a report needs is here, so renderers never reach back into content or answers.
Lists keep questionnaire, workflow and plan order; nothing depends on hashing or the clock.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from .answers import Answer, WorkflowAnswers
from .evaluate import ReviewResult, WorkflowResult
from .evidence import evidence_source
from .findings import BUCKETS, SEVERITY_ORDER, Finding
from .index import QuestionInfo, QuestionnaireIndex
from .plan import PlanStep
from .scenarios import ScenarioResult
from .scoring import Coverage, GroupScore, question_score

FORMAT_VERSION = 1


def answer_view(info: QuestionInfo, answer: Answer | None) -> dict[str, Any]:
    """How a question was answered: status, chosen choices with labels, N/A reason."""
    if answer is not None and answer.na is not None:
        return {"status": "na", "choices": [], "na_reason": answer.na}
    choices = [{"id": c, "label": info.labels.get(c, c)} for c in answer.choices] if answer else []
    return {
        "status": "answered" if choices else "unanswered",
        "choices": choices,
        "na_reason": None,
    }


def _question_row(
    info: QuestionInfo,
    answers: Mapping[str, Answer],
    notes: Mapping[str, str],
    evidence: Mapping[str, str],
    from_evidence: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    answer = answers.get(info.id)
    return {
        "id": info.id,
        "text": info.question.text,
        "type": info.question.type,
        "answer": answer_view(info, answer),
        "score": question_score(info, answer),
        "note": notes.get(info.id),
        "evidence": evidence.get(info.id),
        "source": "evidence" if info.id in from_evidence else None,
    }


def _sections(
    index: QuestionnaireIndex,
    workflow: bool,
    answers: Mapping[str, Answer],
    notes: Mapping[str, str],
    evidence: Mapping[str, str],
    from_evidence: frozenset[str] = frozenset(),
) -> list[dict[str, Any]]:
    return [
        {
            "id": s.id,
            "kind": s.kind,
            "title": s.title,
            "questions": [
                _question_row(index.questions[q.id], answers, notes, evidence, from_evidence)
                for q in s.questions
            ],
        }
        for s in index.questionnaire.sections
        if (s.kind == "workflow") == workflow
    ]


def _coverage(c: Coverage) -> dict[str, Any]:
    return {
        "percent": c.percent,
        "answered": c.answered,
        "not_applicable": c.not_applicable,
        "unanswered": c.unanswered,
        "total": c.total,
    }


def _group(g: GroupScore, titles: Mapping[str, str]) -> dict[str, Any]:
    return {
        "id": g.id,
        "title": titles.get(g.id, g.id),
        "score": g.score,
        "answered": g.answered,
        "total": g.total,
    }


def _because(
    index: QuestionnaireIndex, qids: tuple[str, ...], answers: Mapping[str, Answer]
) -> list[dict]:
    return [
        {
            "question": q,
            "text": index.questions[q].question.text,
            "answer": answer_view(index.questions[q], answers.get(q)),
        }
        for q in qids
    ]


def _scenario(s: ScenarioResult) -> dict[str, Any]:
    return {
        "id": s.scenario.id,
        "title": s.scenario.title,
        "description": s.scenario.description,
        "outcome": s.outcome.id,
        "label": s.outcome.label,
        "status": s.status,
        "explain": s.explain,
        "because": list(s.because),
    }


def _description(index: QuestionnaireIndex, answers: Mapping[str, Answer]) -> list[dict[str, Any]]:
    return [
        {
            "describes": i.question.describes,
            "question": i.id,
            "text": i.question.text,
            "answer": answer_view(i, answers.get(i.id)),
        }
        for i in index.questions.values()
        if i.question.describes
    ]


def _evidence(index: QuestionnaireIndex, wf: WorkflowAnswers) -> list[dict[str, Any]]:
    """The reviewer's suggested answers for a workflow, in file, line and question order."""
    return [
        {
            "question": d.question,
            "question_text": index.questions[d.question].question.text,
            "choice": d.choice,
            "label": index.questions[d.question].labels[d.choice],
            "file": d.file,
            "line": d.line,
            "rule": d.rule,
            "rule_title": d.rule_title,
            "text": d.text,
            "status": d.status,
        }
        for d in sorted(wf.detected, key=lambda d: (d.file, d.line, d.question, d.choice, d.rule))
    ]


def _automation(wf: WorkflowAnswers) -> dict[str, Any]:
    findings = sorted(wf.findings, key=lambda f: (f.file, f.line, f.rule))
    return {
        "files": list(wf.files),
        "findings": [
            {"rule": f.rule, "title": f.title, "severity": f.severity, "file": f.file,
             "line": f.line, "message": f.message}
            for f in findings
        ],
    }


def _workflow(r: ReviewResult, w: WorkflowResult, titles: Mapping[str, str]) -> dict[str, Any]:
    index = r.compiled.index
    own = r.answers.workflows[w.position]
    return {
        "name": w.name,
        "score": w.score,
        "exposure": w.exposure,
        "coverage": _coverage(w.coverage),
        "description": _description(index, w.answers),
        "patterns": [_group(g, titles) for g in w.patterns],
        "scenarios": [_scenario(s) for s in w.scenarios],
        "evidence": _evidence(index, own),
        "automation": _automation(own),
    }


def _finding(r: ReviewResult, f: Finding) -> dict[str, Any]:
    rule, index = f.rule, r.compiled.index
    answers = r.answers.answers if f.position < 0 else r.answers.workflows[f.position].answers
    merged = answers if f.position < 0 else {**r.answers.answers, **answers}
    return {
        "rule": rule.id,
        "title": rule.title,
        "scope": rule.scope,
        "workflow": f.workflow,
        "pattern": rule.pattern,
        "layer": rule.layer,
        "tags": list(rule.tags),
        "severity": rule.severity,
        "effort": rule.effort,
        "exposure": f.exposure,
        "priority": f.priority,
        "bucket": f.bucket,
        "quick_win": f.quick_win,
        "rationale": rule.rationale,
        "remediation": list(rule.remediation),
        "verification": list(rule.verification),
        "references": [{"title": x.title, "url": x.url} for x in rule.references],
        "prerequisites": list(rule.prerequisites),
        "because": _because(index, f.because, merged),
    }


def _step(p: PlanStep) -> dict[str, Any]:
    f = p.finding
    return {
        "step": p.step,
        "rule": f.rule.id,
        "workflow": f.workflow,
        "title": f.rule.title,
        "bucket": f.bucket,
        "priority": f.priority,
        "severity": f.rule.severity,
        "effort": f.rule.effort,
        "quick_win": f.quick_win,
        "after": [{"rule": rule, "workflow": _name(p, pos)} for rule, pos in p.after],
    }


def _name(p: PlanStep, position: int) -> str | None:
    return p.finding.workflow if position >= 0 else None


def _summary(r: ReviewResult) -> dict[str, Any]:
    statuses = [s.status for w in r.workflows for s in w.scenarios]
    return {
        "findings": {s: sum(f.rule.severity == s for f in r.findings) for s in SEVERITY_ORDER},
        "buckets": {b: sum(f.bucket == b for f in r.findings) for b in BUCKETS},
        "quick_wins": sum(f.quick_win for f in r.findings),
        "scenarios": {s: statuses.count(s) for s in ("safe", "unsafe", "unknown")},
    }


def _fit(r: ReviewResult) -> dict[str, Any]:
    fit = r.fit
    raises = [
        {
            "flag": flag,
            "layers": list(x.layers),
            "patterns": list(x.patterns),
            "tags": list(x.tags),
            "factor": x.factor,
        }
        for flag, x in sorted(fit.raises, key=lambda t: t[0])
    ]
    return {
        "verdict": fit.verdict,
        "title": fit.title,
        "advice": fit.advice,
        "reasons": list(fit.reasons),
        "for_count": fit.for_count,
        "against_count": fit.against_count,
        "unanswered": list(fit.unanswered),
        "profile": {"flags": sorted(fit.flags), "raises": raises},
    }


def result_to_dict(r: ReviewResult) -> dict[str, Any]:
    q, a, index = r.questionnaire, r.answers, r.compiled.index
    layer_titles = {x.id: x.title for x in q.layers}
    pattern_titles = {p.id: p.title for p in q.patterns}
    return {
        "format": FORMAT_VERSION,
        "questionnaire": {"id": q.id, "version": q.version, "title": q.title},
        "system": {"name": a.system.name, "description": a.system.description},
        "overall": r.overall,
        "scores": {"system": r.system_score, "workflows": r.workflows_score},
        "coverage": _coverage(r.coverage),
        "fit": _fit(r),
        "layers": [
            _group(g, layer_titles) | {"summary": x.summary}
            for g, x in zip(r.layers, q.layers, strict=True)
        ],
        "patterns": [
            {"id": p.id, "title": p.title, "asks": p.asks, "summary": p.summary} for p in q.patterns
        ],
        "workflows": [_workflow(r, w, pattern_titles) for w in r.workflows],
        "summary": _summary(r),
        "findings": [_finding(r, f) for f in r.findings],
        "plan": [_step(p) for p in r.plan],
        "answers": {
            "sections": _sections(index, False, a.answers, a.notes, {}),
            "workflows": [
                {
                    "name": w.name,
                    "sections": _sections(
                        index, True, w.answers, w.notes, w.evidence, frozenset(evidence_source(w))
                    ),
                }
                for w in a.workflows
            ],
        },
    }


def result_to_json(r: ReviewResult) -> str:
    """The JSON text of `result_to_dict`, byte-for-byte the same for the same input."""
    return json.dumps(result_to_dict(r), indent=2, ensure_ascii=False, allow_nan=False) + "\n"
