"""`build_result`: the engine's `ReviewResult` as the typed `Result` every renderer takes.

Everything a report needs is copied in, so renderers never reach back into content or answers.
Lists keep questionnaire, workflow and plan order; nothing depends on hashing or the clock.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from . import result as r
from .answers import Answer, WorkflowAnswers
from .evaluate import ReviewResult, WorkflowResult
from .evidence import evidence_source, system_evidence_source
from .findings import BUCKETS, SEVERITY_ORDER
from .findings import Finding as EngineFinding
from .index import QuestionInfo, QuestionnaireIndex
from .models import Retired
from .plan import PlanStep as EnginePlanStep
from .scenarios import ScenarioResult
from .scoring import Coverage, GroupScore, question_score
from .upgrade import new_questions
from .verdicts import HEADLINE_CAP, WEAK_LAYER, OpenRisk, RefusedNa


def answer_view(info: QuestionInfo, answer: Answer | None) -> r.AnswerView:
    """How a question was answered: status, chosen choices with labels, N/A reason."""
    if answer is not None and answer.na is not None:
        return r.AnswerView("na", (), answer.na)
    choices = tuple(r.Choice(c, info.labels.get(c, c)) for c in answer.choices) if answer else ()
    return r.AnswerView("answered" if choices else "unanswered", choices, None)


class _Builder:
    def __init__(self, review: ReviewResult, workflow_ids: Sequence[str] | None,
                 new: frozenset[str] = frozenset()) -> None:
        self.review = review
        self.new = new  # questions new since the upgrade this assessment went through
        self.index: QuestionnaireIndex = review.compiled.index
        count = len(review.answers.workflows)
        self.ids = list(workflow_ids) if workflow_ids else [f"w{n + 1}" for n in range(count)]
        if len(self.ids) != count:
            raise ValueError(f"{len(self.ids)} workflow ids for {count} workflows")

    def workflow_id(self, position: int) -> str | None:
        return self.ids[position] if position >= 0 else None

    def row(self, info: QuestionInfo, answers: Mapping[str, Answer], notes: Mapping[str, str],
            evidence: Mapping[str, str], from_evidence: frozenset[str],
            gone: Mapping[str, str]) -> r.QuestionRow:
        answer = Answer.not_applicable(gone[info.id]) if info.id in gone else answers.get(info.id)
        return r.QuestionRow(
            info.id, info.question.text, info.question.type, answer_view(info, answer),
            question_score(info, answer), notes.get(info.id), evidence.get(info.id),
            "evidence" if info.id in from_evidence else None, info.id not in gone,
            info.id in self.new)

    def sections(self, workflow: bool, answers: Mapping[str, Answer], notes: Mapping[str, str],
                 evidence: Mapping[str, str], from_evidence: frozenset[str] = frozenset(),
                 position: int = -1) -> tuple[r.Section, ...]:
        gone = (self.review.hidden or {}).get(position, {})
        return tuple(
            r.Section(s.id, s.kind, s.title, tuple(
                self.row(self.index.questions[q.id], answers, notes, evidence, from_evidence,
                         gone)
                for q in s.questions))
            for s in self.index.questionnaire.sections if (s.kind == "workflow") == workflow)

    def because(self, qids: tuple[str, ...], answers: Mapping[str, Answer]
                ) -> tuple[r.QuestionRef, ...]:
        return tuple(r.QuestionRef(q, self.index.questions[q].question.text,
                                   answer_view(self.index.questions[q], answers.get(q)))
                     for q in qids)

    def cell(self, g: GroupScore, titles: Mapping[str, str],
             answers: Mapping[str, Answer]) -> r.PatternCell:
        return r.PatternCell(g.id, titles.get(g.id, g.id), g.score, g.answered, g.total,
                             self.cell_status(g, answers))

    def cell_status(self, g: GroupScore, answers: Mapping[str, Answer]) -> str:
        if g.score is not None:
            return "scored"
        given = [answers.get(info.id) for info in self.index.by_pattern.get(g.id, [])]
        all_na = bool(given) and all(a is not None and a.na is not None for a in given)
        return "not_applicable" if all_na else "not_assessed"

    def description(self, answers: Mapping[str, Answer]) -> tuple[r.Fact, ...]:
        return tuple(r.Fact(i.question.describes, i.id, i.question.text,
                            answer_view(i, answers.get(i.id)))
                     for i in self.index.questions.values() if i.question.describes)

    def evidence(self, wf: WorkflowAnswers) -> tuple[r.Suggestion, ...]:
        """The reviewer's suggested answers for a workflow, in file, line and question order."""
        return tuple(
            r.Suggestion(d.question, self.index.questions[d.question].question.text, d.choice,
                         self.index.questions[d.question].labels[d.choice], d.file, d.line,
                         d.rule, d.rule_title, d.text, d.status)
            for d in sorted(wf.detected,
                            key=lambda d: (d.file, d.line, d.question, d.choice, d.rule)))

    def workflow(self, w: WorkflowResult, titles: Mapping[str, str]) -> r.Workflow:
        own = self.review.answers.workflows[w.position]
        found = sorted(own.findings, key=lambda f: (f.file, f.line, f.rule))
        automation = r.Automation(tuple(own.files), tuple(
            r.AutomationFinding(f.rule, f.title, f.severity, f.file, f.line, f.message)
            for f in found))
        return r.Workflow(
            self.ids[w.position], w.position, w.name, w.score, w.exposure, coverage(w.coverage),
            self.description(w.answers),
            tuple(self.cell(g, titles, w.answers) for g in w.patterns),
            tuple(scenario(s) for s in w.scenarios), self.evidence(own), automation)

    def finding(self, f: EngineFinding) -> r.Finding:
        rule, answers = f.rule, self.review.answers
        own = answers.answers if f.position < 0 else answers.workflows[f.position].answers
        merged = own if f.position < 0 else {**answers.answers, **own}
        return r.Finding(
            rule.id, rule.title, rule.scope, f.workflow, self.workflow_id(f.position),
            f.position, rule.pattern, rule.layer, tuple(rule.tags), rule.severity, rule.effort,
            f.exposure, f.priority, f.bucket, f.quick_win, rule.rationale,
            tuple(rule.remediation), tuple(rule.verification),
            tuple(r.Reference(x.title, x.url) for x in rule.references),
            tuple(rule.prerequisites), self.because(f.because, merged))

    def step(self, p: EnginePlanStep) -> r.PlanStep:
        f = p.finding
        after = tuple(
            r.After(rule, f.workflow if pos >= 0 else None, self.workflow_id(pos) if pos >= 0
                    else None)
            for rule, pos in p.after)
        consequences = tuple(
            r.Consequence(c.rule.id, c.rule.title, c.rule.severity, c.workflow,
                          self.workflow_id(c.position))
            for c in p.consequences)
        return r.PlanStep(p.step, f.rule.id, f.workflow, self.workflow_id(f.position),
                          f.position, f.rule.title, f.bucket, f.priority, f.rule.severity,
                          f.rule.effort, f.quick_win, after, consequences)

    def question_text(self, qid: str) -> r.QuestionText:
        info = self.index.questions.get(qid)
        return r.QuestionText(qid, info.question.text if info else qid)

    def open_risk(self, o: OpenRisk) -> r.OpenRisk:
        return r.OpenRisk(o.rule.id, o.rule.title, o.rule.severity, o.workflow,
                          self.workflow_id(o.position),
                          tuple(self.question_text(q) for q in o.questions))

    def refused(self, x: RefusedNa) -> r.RefusedNa:
        return r.RefusedNa(self.question_text(x.question), x.reason, x.workflow,
                           self.workflow_id(x.position))

    def honesty(self) -> r.Honesty:
        """The honesty block (issue 13): provisional headline, weakest layers, risk counts,
        open risks, refused "not applicable" answers and the actions per bucket."""
        review = self.review
        titles = {x.id: x.title for x in review.questionnaire.layers}
        layer_risks = review.layer_risks or {}
        return r.Honesty(
            checklist=review.checklist,
            headline=review.overall,
            answered_score=review.answered_overall,
            provisional=review.coverage.unanswered > 0,
            unanswered=review.coverage.unanswered,
            weak_layers=tuple(r.LayerRef(x, titles.get(x, x)) for x in review.weak_layers),
            weak_layer_below=WEAK_LAYER,
            headline_cap=HEADLINE_CAP,
            risks=dict(review.risks or {}),
            layer_risks=tuple(r.LayerRisks(x.id, x.title, dict(layer_risks.get(x.id, {})))
                              for x in review.questionnaire.layers),
            workflow_risks=tuple(r.WorkflowRisks(w.name, dict(w.risks or {}),
                                                 self.ids[w.position], w.position)
                                 for w in review.workflows),
            open_risks=tuple(self.open_risk(o) for o in review.open_risks),
            refused_na=tuple(self.refused(x) for x in review.refused_na),
            actions={b: sum(1 for p in review.plan if p.finding.bucket == b) for b in BUCKETS},
        )

    def answers(self) -> r.AnswersView:
        a = self.review.answers
        return r.AnswersView(
            self.sections(False, a.answers, a.notes, {},
                          frozenset(system_evidence_source(a, self.index))),
            tuple(r.WorkflowAnswersView(
                self.ids[n], n, w.name,
                self.sections(True, w.answers, w.notes, w.evidence,
                              frozenset(evidence_source(w)), n))
                for n, w in enumerate(a.workflows)))


def coverage(c: Coverage) -> r.Coverage:
    return r.Coverage(c.percent, c.answered, c.not_applicable, c.unanswered, c.total)


def scenario(s: ScenarioResult) -> r.Scenario:
    return r.Scenario(s.scenario.id, s.scenario.title, s.scenario.description, s.outcome.id,
                      s.outcome.label, s.status, s.explain, tuple(s.because))


def _summary(review: ReviewResult) -> r.Summary:
    statuses = [s.status for s in review.scenarios] + [
        s.status for w in review.workflows for s in w.scenarios]
    findings = review.findings
    return r.Summary(
        {s: sum(f.rule.severity == s for f in findings) for s in SEVERITY_ORDER},
        {b: sum(f.bucket == b for f in findings) for b in BUCKETS},
        sum(f.quick_win for f in findings),
        {s: statuses.count(s) for s in ("safe", "unsafe", "unknown")})


def _fit(review: ReviewResult) -> r.Fit:
    fit = review.fit
    raises = tuple(r.Raise(flag, tuple(x.layers), tuple(x.patterns), tuple(x.tags), x.factor)
                   for flag, x in sorted(fit.raises, key=lambda t: t[0]))
    return r.Fit(fit.verdict, fit.title, fit.advice, tuple(fit.reasons), fit.for_count,
                 fit.against_count, tuple(fit.unanswered),
                 r.Profile(tuple(sorted(fit.flags)), raises))


def build_result(review: ReviewResult, workflow_ids: Sequence[str] | None = None) -> r.Result:
    """The typed result of `review`. `workflow_ids` (one per workflow, in position order) are
    the workflows' stable ids; without them a workflow is "w<n>", n counting from 1."""
    q = review.questionnaire
    upgraded = review.answers.upgraded_from
    note = None
    if upgraded is not None and q.upgrade is not None and q.upgrade.from_version == upgraded:
        new = new_questions(q)
        note = r.UpgradeNote(
            upgraded, tuple(r.QuestionText(x, review.compiled.index.questions[x].question.text)
                            for x in new),
            tuple(r.RetiredQuestion(x, e.retired) for x, e in q.upgrade.questions.items()
                  if isinstance(e, Retired)))
    b = _Builder(review, workflow_ids, frozenset(x.id for x in note.new_questions)
                 if note else frozenset())
    layer_titles = {x.id: x.title for x in q.layers}
    pattern_titles = {p.id: p.title for p in q.patterns}
    return r.Result(
        format=r.FORMAT_VERSION,
        questionnaire=r.QuestionnaireRef(q.id, q.version, q.title),
        system=r.System(review.answers.system.name, review.answers.system.description),
        overall=review.overall,
        scores=r.Scores(review.system_score, review.workflows_score),
        coverage=coverage(review.coverage),
        fit=_fit(review),
        layers=tuple(r.Layer(g.id, layer_titles.get(g.id, g.id), g.score, g.answered, g.total,
                             x.summary) for g, x in zip(review.layers, q.layers, strict=True)),
        patterns=tuple(r.Pattern(p.id, p.title, p.asks, p.summary) for p in q.patterns),
        workflows=tuple(b.workflow(w, pattern_titles) for w in review.workflows),
        summary=_summary(review),
        findings=tuple(b.finding(f) for f in review.findings),
        plan=tuple(b.step(p) for p in review.plan),
        answers=b.answers(),
        honesty=b.honesty(),
        upgrade=note,
        system_scenarios=tuple(scenario(s) for s in review.scenarios),
    )


def evaluate_result(content, answers, questionnaire_id: str | None = None,
                    workflow_ids: Sequence[str] | None = None) -> r.Result:
    """`evaluate` then `build_result`: the typed review of `answers` in one call."""
    from .evaluate import evaluate

    return build_result(evaluate(content, answers, questionnaire_id), workflow_ids)
