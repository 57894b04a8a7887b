"""The report's plain data: everything the template shows, computed once, JSON-serializable.

The same dict feeds the HTML page and the PDF, and its hash keys the PDF cache, so nothing in
it may depend on the request, the clock (beyond the printed date) or the process.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable

from webapp.report import charts
from webapp.report import normalize as norm

PAGE_SIZES = ("A4", "Letter")
PAGE_SIZE_SETTING = "FAULTLINE_PDF_PAGE_SIZE"
SEVERITY_LABELS = {"critical": "Critical", "high": "High", "medium": "Medium", "low": "Low"}
BUCKET_LABELS = {"now": "Now", "next": "Next", "later": "Later"}
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


def default_page_size() -> str:
    """A4 unless FAULTLINE_PDF_PAGE_SIZE says Letter (case-insensitive)."""
    wanted = os.environ.get(PAGE_SIZE_SETTING, "A4").strip().lower()
    for size in PAGE_SIZES:
        if size.lower() == wanted:
            return size
    raise ValueError(f"{PAGE_SIZE_SETTING} must be one of {', '.join(PAGE_SIZES)}, not {wanted!r}")


def data_options(opts: dict) -> dict:
    """Report options with the configured page size unless one is given."""
    return {"page_size": default_page_size(), **opts}


def build_report_data(result_dict: dict, *, team: str | None = None,
                      milestone: str | None = None, generated_at: object = None,
                      page_size: str = "A4") -> dict:
    """Turn the engine's result dict into everything the report template needs."""
    rows = norm.answers(result_dict.get("answers"))
    index = norm.answer_index(rows)
    findings = [norm.finding(f, index) for f in result_dict.get("findings") or []]
    ordered = norm.plan_order(result_dict.get("plan"), findings)
    for number, finding in enumerate(ordered, start=1):
        finding["number"] = number
    workflows = [norm.workflow(w, i, index)
                 for i, w in enumerate(result_dict.get("workflows") or [])]
    layers = [{"id": str(x.get("id")), "title": norm.title_of(x), "summary": x.get("summary"),
               "score": norm.score(x.get("score"))} for x in result_dict.get("layers") or []]
    data = {
        "meta": _meta(result_dict, team, milestone, generated_at, page_size),
        "summary": _summary(result_dict, ordered, workflows),
        "layers": layers,
        "layer_chart": charts.layer_chart(layers),
        "heat_map": charts.heat_map(workflows),
        "legend": charts.legend(),
        "workflows": workflows,
        "plan": _plan(ordered),
        "findings": ordered,
        "appendix": _appendix(rows),
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


def _meta(result: dict, team, milestone, generated_at, page_size: str) -> dict:
    if page_size not in PAGE_SIZES:
        raise ValueError(f"page size must be one of {', '.join(PAGE_SIZES)}, not {page_size!r}")
    system = result.get("system") or {}
    questionnaire = result.get("questionnaire") or {}
    date = _date(generated_at)
    return {
        "system_name": str(system.get("name") or "Unnamed system"),
        "system_description": str(system.get("description") or ""),
        "team": team,
        "milestone": milestone,
        "date": date.isoformat(),
        "date_display": f"{date.day} {date:%B %Y}",
        "questionnaire_title": str(questionnaire.get("title") or "Reliability review"),
        "questionnaire_id": questionnaire.get("id"),
        "questionnaire_version": questionnaire.get("version"),
        "page_size": page_size,
    }


def _profile_flags(profile: object) -> list:
    """Profile flags from {flags: [...]}, a {flag: bool} mapping or a plain list."""
    if isinstance(profile, dict) and "flags" in profile:
        return list(profile["flags"] or [])
    if isinstance(profile, dict):
        return [k for k, v in profile.items() if v is True]
    return list(profile or [])


def _fit(fit: dict) -> dict:
    verdict = str(fit.get("verdict") or "").lower()
    label, meaning = VERDICTS.get(verdict, ("Fit not assessed", "The fit questions are open."))
    label, meaning = fit.get("title") or label, fit.get("advice") or meaning
    flags = _profile_flags(fit.get("profile"))
    return {
        "verdict": verdict or "unknown",
        "label": label,
        "meaning": meaning,
        "reasons": [str(r) for r in fit.get("reasons") or []],
        "profile": [str(f).replace("_", " ").replace("-", " ").capitalize() for f in flags],
    }


def _severity_counts(findings: list[dict]) -> list[dict]:
    return [{"severity": s, "label": label,
             "count": sum(1 for f in findings if f["severity"] == s)}
            for s, label in SEVERITY_LABELS.items()]


def _status_counts(workflows: Iterable[dict]) -> dict:
    counts = dict.fromkeys(norm.STATUSES, 0)
    for workflow in workflows:
        for scenario in workflow["scenarios"]:
            counts[scenario["status"]] += 1
    return counts


def _summary(result: dict, ordered: list[dict], workflows: list[dict]) -> dict:
    overall = norm.score(result.get("overall"))
    return {
        "overall": overall,
        "overall_band": charts.band(overall)[0],
        "overall_band_label": charts.band(overall)[1],
        "coverage": norm.percent(result.get("coverage")),
        "fit": _fit(result.get("fit") or {}),
        "top_actions": ordered[:TOP_ACTIONS],
        "severity_counts": _severity_counts(ordered),
        "finding_count": len(ordered),
        "quick_win_count": sum(1 for f in ordered if f["quick_win"]),
        "scenario_counts": _status_counts(workflows),
        "workflow_count": len(workflows),
    }


def _plan(ordered: list[dict]) -> list[dict]:
    return [{"id": b, "label": label, "hint": BUCKET_HINTS[b],
             "findings": [f for f in ordered if f["bucket"] == b]}
            for b, label in BUCKET_LABELS.items()]


def _appendix(rows: list[dict]) -> list[dict]:
    """Rows grouped by (workflow, section), system questions first, input order otherwise."""
    groups: dict[tuple, dict] = {}
    for row in sorted(rows, key=lambda r: r["workflow"] is not None):
        key = (row["workflow"], row["section"])
        title = f"{row['workflow']} · {row['section']}" if row["workflow"] else row["section"]
        group = groups.setdefault(key, {"title": title or "Answers", "rows": [],
                                        "anchor": "answers-" + norm.slug(*key, len(groups))})
        group["rows"].append(row)
    return list(groups.values())


def _toc(data: dict) -> list[dict]:
    entries = [("summary", "Executive summary", 1), ("fit", "Fit for a reliability review", 1),
               ("layers", "Protection layers", 1), ("heat-map", "Workflow patterns", 1),
               ("scenarios", "Failure scenarios", 1)]
    entries += [(w["anchor"], w["name"], 2) for w in data["workflows"]]
    entries += [("plan", "Remediation plan", 1), ("findings", "Findings in detail", 1),
                ("appendix", "Appendix: answers and notes", 1)]
    return [{"anchor": a, "title": t, "level": level} for a, t, level in entries]
