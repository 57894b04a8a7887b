"""The improvement plan of a review on a lens as CSV, JSON or Markdown, for trackers and docs.

One row per risky question (high before medium, then pillar order), with the improvements the
lens suggests for the best practices not yet selected.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from .lens_result import LensResult
from .text import counted, first_upper

COLUMNS = ("pillar", "question_id", "question", "risk", "selected", "improvements")


def plan_rows(result: LensResult) -> list[dict[str, str]]:
    return [
        {
            "pillar": q.pillar.name,
            "question_id": q.question.id,
            "question": q.question.title,
            "risk": q.risk.label,
            "selected": "; ".join(c.title for c in q.question.choices if c.id in q.answer.choices),
            "improvements": " | ".join(
                f"{i.choice.title}: {i.text}" + (f" ({i.url})" if i.url else "")
                for i in q.improvements
            ),
        }
        for q in result.plan
    ]


def to_csv(rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: _cell(v) for k, v in row.items()} for row in rows)
    return out.getvalue()


def _cell(value: str) -> str:
    """Neutralise spreadsheet formulas in text that came from a lens file."""
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


def to_json(rows: list[dict[str, str]], meta: dict[str, Any]) -> str:
    return json.dumps({**meta, "plan": rows}, indent=2, ensure_ascii=False) + "\n"


def to_markdown(rows: list[dict[str, str]], meta: dict[str, Any]) -> str:
    lines = [
        f"# Improvement plan: {meta['assessment']}",
        "",
        f"{meta['lens']}, version {meta['version']}. "
        f"{first_upper(counted(len(rows), 'question'))} at risk.",
        "",
    ]
    for row in rows:
        lines += [f"## {row['risk']}: {row['question']}", "", f"Pillar: {row['pillar']}  "]
        if row["selected"]:
            lines.append(f"Selected: {row['selected']}  ")
        lines += [""] + [f"- {item}" for item in row["improvements"].split(" | ") if item] + [""]
    return "\n".join(lines)
