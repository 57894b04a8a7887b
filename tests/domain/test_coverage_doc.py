"""docs/coverage.md names real version 2 questions and its summary matches its tables."""

from __future__ import annotations

import re

from . import v2_counts as v2

DOC = v2.ROOT / "docs" / "coverage.md"


def _sections() -> dict[str, list[list[str]]]:
    """Rows (cells) of each `## ` section's table."""
    rows: dict[str, list[list[str]]] = {}
    current = ""
    for line in DOC.read_text().splitlines():
        if line.startswith("## "):
            current = line[3:].strip()
        elif line.startswith("| ") and not line.startswith("|--") and current:
            cells = [c.strip() for c in line.strip("|").split("|")]
            if cells[1] in ("covered", "partly", "not"):
                rows.setdefault(current, []).append(cells)
    return rows


def test_every_question_the_coverage_names_is_asked_in_version_2() -> None:
    known = {q["id"] for s in v2.load()["sections"] for q in s["questions"]}
    named = set(re.findall(r"`([a-z-]+\.[a-z-]+)`", DOC.read_text()))
    rule_or_scenario = {n for n in named if n not in known}
    asked = named - rule_or_scenario
    # every question but the workflow's description (trigger, side effects...) covers something
    assert {q for q in known if not q.startswith("workflow.")} <= asked
    for row in [r for rows in _sections().values() for r in rows]:
        for qid in re.findall(r"`([a-z-]+\.[a-z-]+)`", row[2]):
            assert qid in known, f"{row[0]} names '{qid}', which version 2 does not ask"


def test_the_summary_figures_match_the_tables() -> None:
    text, sections = DOC.read_text(), _sections()
    names = (
        "Source documents",
        "AWS Well-Architected Reliability Pillar",
        "AWS Operational Readiness Review sample lens",
    )
    for label in names:
        rows = sections[label]
        covered = sum(1 for r in rows if r[1] == "covered")
        partly = sum(1 for r in rows if r[1] == "partly")
        line = next(x for x in text.splitlines() if x.startswith(f"| {label}"))
        assert (
            f"{len(rows)} " in line
            and f"| {covered} ({round(100 * covered / len(rows))} %)" in line
        )
        assert not any(r[1] == "not" for r in rows)
        assert partly == len(rows) - covered


def test_coverage_targets_of_issue_14_hold() -> None:
    sections = _sections()

    def share(name: str) -> float:
        rows = sections[name]
        return sum(1 for r in rows if r[1] == "covered") / len(rows)

    assert share("Source documents") == 1.0
    assert share("AWS Well-Architected Reliability Pillar") >= 0.8
    assert len(sections["AWS Well-Architected Reliability Pillar"]) == 65
    assert share("AWS Operational Readiness Review sample lens") >= 0.9
    assert len(sections["AWS Operational Readiness Review sample lens"]) == 16
