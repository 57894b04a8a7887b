"""The report's plain data from the typed result: everything the template shows, computed once,
JSON-serializable.

The same dict feeds the HTML page and the PDF, and its hash keys the PDF cache, so nothing in
it may depend on the request, the clock (beyond the printed date) or the process.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from webapp.domain.result import Fit, Result
from webapp.domain.vocabulary import BUCKET_LABELS, SEVERITY_LABELS
from webapp.report import charts, dates
from webapp.report.cards import (
    STATUSES,
    AnswerIndex,
    finding_card,
    plan_order,
    scenario_view,
    score,
    slug,
    workflow_view,
)

PAGE_SIZES = ("A4", "Letter")
BUCKET_HINTS = {
    "now": "Fix before the next release: exposure is high and the fix is known.",
    "next": "Plan into the coming weeks, after the Now items.",
    "later": "Schedule when the higher items are closed.",
}
VERDICTS = {
    "strong": ("Strong fit", "Full review: reliability engineering pays off here."),
    "partial": ("Partial fit", "Focused review: apply the patterns where exposure is highest."),
    "poor": ("Poor fit", "Minimum checklist: most of this review would be overhead."),
}
TOP_ACTIONS = 5
#: The block of scenarios that happen to the whole system, shown once before the workflows'.
SYSTEM_SCENARIOS_TITLE = "The system under stress"
SYSTEM_SCENARIOS_ANCHOR = "system-scenarios"
#: The full review, and the executive edition: summary, charts, scenario overview and plan
#: for a reader with five minutes (no finding details, no answers appendix).
EDITIONS = {"full": "Full review", "executive": "Executive edition"}
WEAKEST = 3


def data_options(opts: dict) -> dict:
    """Report options, A4 unless a page size is given (the app passes its PDF_PAGE_SIZE)."""
    return {"page_size": "A4", **opts}


def build_report_data(result: Result, *, team: str | None = None,
                      milestone: str | None = None, generated_at: object = None,
                      page_size: str = "A4", edition: str = "full",
                      follow_up: dict | None = None) -> dict:
    """Everything the report template needs, from the typed result."""
    if edition not in EDITIONS:
        raise ValueError(f"edition must be one of {', '.join(EDITIONS)}, not {edition!r}")
    answers = AnswerIndex(result)
    ordered = [finding_card(f, answers) for f in plan_order(result)]
    for number, card in enumerate(ordered, start=1):
        card["number"] = number
        position = "" if card["position"] is None else card["position"]
        card["follow_up"] = (follow_up or {}).get(f"{card['rule']}@{position}")
    workflows = [workflow_view(w, answers) for w in result.workflows]
    system_scenarios = [scenario_view(s, -1, answers) for s in result.system_scenarios]
    layers = [{"id": x.id, "title": x.title, "summary": x.summary, "score": score(x.score)}
              for x in result.layers]
    data = {
        "meta": _meta(result, team, milestone, generated_at, page_size),
        "summary": _summary(result, ordered, workflows, system_scenarios),
        "layers": layers,
        "layer_chart": charts.layer_chart(layers),
        "heat_map": charts.heat_map(workflows),
        "legend": charts.legend(),
        "workflows": workflows,
        "system_scenarios": system_scenarios,
        "plan": _plan(ordered, result),
        "findings": ordered,
        "appendix": _appendix(answers.rows),
        "edition": edition,
        "edition_label": EDITIONS[edition],
        "weakest": _weakest(layers, workflows, result),
        "scenario_overview": _scenario_overview(workflows, system_scenarios),
        "honesty": _honesty(result),
    }
    data["toc"] = _toc(data)
    return data


def _date(generated_at: object) -> dt.date:
    if generated_at is None:
        return dt.datetime.now(dt.UTC).date()
    if isinstance(generated_at, dt.datetime):
        return generated_at.date()
    if isinstance(generated_at, dt.date):
        return generated_at
    return dt.date.fromisoformat(str(generated_at)[:10])


def _meta(result: Result, team, milestone, generated_at, page_size: str) -> dict:
    if page_size not in PAGE_SIZES:
        raise ValueError(f"page size must be one of {', '.join(PAGE_SIZES)}, not {page_size!r}")
    questionnaire = result.questionnaire
    date = _date(generated_at)
    return {
        "system_name": result.system.name or "Unnamed system",
        "system_description": result.system.description or "",
        "team": team,
        "milestone": milestone,
        "date": date.isoformat(),
        "date_display": dates.day(date),
        "questionnaire_title": questionnaire.title or "Reliability review",
        "questionnaire_id": questionnaire.id,
        "questionnaire_version": questionnaire.version,
        "upgraded_from": result.upgrade.from_version if result.upgrade else None,
        "page_size": page_size,
    }


def _fit(fit: Fit) -> dict:
    verdict = (fit.verdict or "").lower()
    label, meaning = VERDICTS.get(verdict, ("Fit not assessed", "The fit questions are open."))
    return {
        "verdict": verdict or "unknown",
        "label": fit.title or label,
        "meaning": fit.advice or meaning,
        "reasons": list(fit.reasons),
        "profile": [f.replace("_", " ").replace("-", " ").capitalize() for f in fit.profile.flags],
    }


def _severity_counts(findings: list[dict]) -> list[dict]:
    return [{"severity": s, "label": label,
             "count": sum(1 for f in findings if f["severity"] == s)}
            for s, label in SEVERITY_LABELS.items()]


def _status_counts(scenarios: Iterable[dict]) -> dict:
    counts = dict.fromkeys(STATUSES, 0)
    for scenario in scenarios:
        if scenario["status"] in counts:
            counts[scenario["status"]] += 1
    return counts


def _summary(result: Result, ordered: list[dict], workflows: list[dict],
             system_scenarios: list[dict]) -> dict:
    overall = score(result.overall)
    return {
        "overall": overall,
        "overall_band": charts.band(overall)[0],
        "overall_band_label": charts.band(overall)[1],
        "coverage": score(result.coverage.percent),
        "fit": _fit(result.fit),
        "top_actions": ordered[:TOP_ACTIONS],
        "severity_counts": _severity_counts(ordered),
        "finding_count": len(ordered),
        "quick_win_count": sum(1 for f in ordered if f["quick_win"]),
        # the system's scenarios count once, each workflow's once per workflow
        "scenario_counts": _status_counts(
            [*system_scenarios, *(s for w in workflows for s in w["scenarios"])]),
        "workflow_count": len(workflows),
    }


def _plan(ordered: list[dict], result: Result) -> list[dict]:
    """The buckets' actions: findings that share a root cause are one action, its consequences
    listed under it (with their numbers in the details, where each keeps its card)."""
    roots = {s.key: s.consequences for s in result.plan}
    subsumed = {(c.rule, c.workflow_id) for cs in roots.values() for c in cs}
    numbers = {(f["rule"], f["workflow_id"]): f["number"] for f in ordered}
    for f in ordered:
        position = -1 if f["position"] is None else f["position"]
        f["consequences"] = [
            {"rule": c.rule, "title": c.title, "severity": c.severity, "workflow": c.workflow,
             "number": numbers.get((c.rule, c.workflow_id))}
            for c in roots.get((f["rule"], position), ())]
        f["removes"] = _removes(f["consequences"])
    actions = [f for f in ordered if (f["rule"], f["workflow_id"]) not in subsumed]
    buckets = [{"id": b, "label": label, "hint": BUCKET_HINTS[b],
                "findings": [f for f in actions if f["bucket"] == b]}
               for b, label in BUCKET_LABELS.items()]
    for bucket in buckets:
        bucket["counts"] = _severity_counts(bucket["findings"])
    return buckets


def _removes(consequences: list[dict]) -> list[dict]:
    """What an action also removes, each finding said once with where it is found, in the
    plan's order: "X (Payouts, Refunds)", not "X (Payouts); X (Refunds)". {"title", "places":
    [{"name": workflow name, "the system" beside workflows, or None; "number"}]}."""
    grouped: dict[str, list[dict]] = {}
    for c in consequences:
        grouped.setdefault(c["title"], []).append(c)
    out = []
    for title, found in grouped.items():
        mixed = any(c["workflow"] for c in found) and not all(c["workflow"] for c in found)
        out.append({"title": title, "places": [
            {"name": c["workflow"] or ("the system" if mixed else None), "number": c["number"]}
            for c in found]})
    return out


def _honesty(result: Result) -> dict:
    """What keeps the verdict honest, for the summary: the score of what is answered beside a
    provisional headline, the layers that hold it down, the open risks by name and whether
    this is the minimum checklist."""
    h = result.honesty
    return {
        "checklist": h.checklist,
        "provisional": h.provisional,
        "answered_score": score(h.answered_score),
        "unanswered": h.unanswered,
        "weak_layers": [x.title for x in h.weak_layers],
        "weak_layer_below": int(h.weak_layer_below),
        "headline_cap": int(h.headline_cap),
        "open_risks": [{"title": o.title, "severity": o.severity, "scope": o.workflow or "System",
                        "questions": [q.text for q in o.questions]} for o in h.open_risks],
        "refused_na": [{"question": x.question.text, "reason": x.reason,
                        "scope": x.workflow or "System"} for x in h.refused_na],
    }


def _appendix(rows: list[dict]) -> list[dict]:
    """Rows grouped by (workflow, section), system questions first, input order otherwise."""
    groups: dict[tuple, dict] = {}
    for row in sorted(rows, key=lambda r: r["workflow"] is not None):
        key = (row["workflow"], row["section"])
        title = f"{row['workflow']} · {row['section']}" if row["workflow"] else row["section"]
        group = groups.setdefault(key, {"title": title or "Answers", "rows": [],
                                        "anchor": "answers-" + slug(*key, len(groups))})
        group["rows"].append(row)
    return list(groups.values())


def _weakest(layers: list[dict], workflows: list[dict], result: Result) -> list[dict]:
    """The lowest scored layers and workflows: where a failure most likely gets through, with
    their critical / high / medium finding counts beside the score."""
    def risks(found) -> dict[str, int]:  # from the findings, so older snapshots have them too
        severities = [f.severity for f in found]
        return {s: severities.count(s) for s in ("critical", "high", "medium")}

    system = [f for f in result.findings if f.position < 0]
    scored = [{"kind": "Layer", "name": x["title"], "score": x["score"],
               "risks": risks(f for f in system if f.layer == x["id"])} for x in layers]
    scored += [{"kind": "Workflow", "name": w["name"], "score": w["score"],
                "risks": risks(f for f in result.findings if f.position == w["position"])}
               for w in workflows]
    scored = [x for x in scored if x["score"] is not None]
    return sorted(scored, key=lambda x: x["score"])[:WEAKEST]


def _scenario_overview(workflows: list[dict], system_scenarios: list[dict]) -> list[dict]:
    """How many scenarios are safe, unsafe and unknown (the unsafe ones named): the system's
    first (when it has any), then each workflow's."""
    groups = [(SYSTEM_SCENARIOS_TITLE, SYSTEM_SCENARIOS_ANCHOR, system_scenarios)] \
        if system_scenarios else []
    groups += [(w["name"], w["anchor"], w["scenarios"]) for w in workflows]
    return [{"name": name, "anchor": anchor, **_status_counts(scenarios),
             "unsafe_titles": [s["title"] for s in scenarios if s["status"] == "unsafe"]}
            for name, anchor, scenarios in groups]


def _toc(data: dict) -> list[dict]:
    if data["edition"] == "executive":
        entries = [("summary", "Executive summary", 1), ("layers", "Protection layers", 1),
                   ("heat-map", "Workflow patterns", 1), ("scenarios", "Failure scenarios", 1),
                   ("plan", "Remediation plan", 1)]
        return [{"anchor": a, "title": t, "level": level} for a, t, level in entries]
    entries = [("summary", "Executive summary", 1), ("fit", "Fit for a reliability review", 1),
               ("layers", "Protection layers", 1), ("heat-map", "Workflow patterns", 1),
               ("scenarios", "Failure scenarios", 1)]
    if data["system_scenarios"]:
        entries.append((SYSTEM_SCENARIOS_ANCHOR, SYSTEM_SCENARIOS_TITLE, 2))
    entries += [(w["anchor"], w["name"], 2) for w in data["workflows"]]
    entries += [("plan", "Remediation plan", 1), ("findings", "Findings in detail", 1),
                ("appendix", "Appendix: answers and notes", 1)]
    return [{"anchor": a, "title": t, "level": level} for a, t, level in entries]
