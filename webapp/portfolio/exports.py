"""The portfolio as plain data: JSON and CSV exports, the PDF's data, and trend geometry."""

from __future__ import annotations

import csv
import io
from typing import Any

from markupsafe import Markup, escape

from webapp.portfolio.service import Row
from webapp.report import dates
from webapp.report.cards import score

SPARK_WIDTH, SPARK_HEIGHT, SPARK_PAD = 120, 32, 3


def row_data(row: Row, layers: list[tuple[str, str]]) -> dict[str, Any]:
    f = row.facts
    scores = {layer_id: score for layer_id, _t, score in (f.layers if f else ())}
    return {
        "id": row.id, "name": row.name, "team": row.team, "status": row.status,
        "updated_at": dates.iso(row.updated_at),
        "overall": f.overall if f else None, "coverage": f.coverage if f else None,
        "fit": f.fit if f else None, "fit_title": f.fit_title if f else None,
        "layers": {layer_id: scores.get(layer_id) for layer_id, _title in layers},
        "critical": f.critical if f else None, "high": f.high if f else None,
        "now_open": row.now_open, "overdue": row.overdue,
        "trend": [{"label": p.label, "date": p.date.isoformat() if p.date else None,
                   "score": p.score} for p in row.trend],
        "problem": row.problem, "updating": row.updating,
    }


def as_json(rows: list[Row], layers: list[tuple[str, str]]) -> dict[str, Any]:
    return {"layers": [{"id": i, "title": t} for i, t in layers],
            "assessments": [row_data(r, layers) for r in rows]}


def as_csv(rows: list[Row], layers: list[tuple[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["id", "assessment", "team", "status", "overall", "coverage", "fit",
                     *[title for _i, title in layers], "critical", "high", "now_open",
                     "overdue", "updated_at", "figures"])
    for row in rows:
        d = row_data(row, layers)
        writer.writerow([d["id"], _safe(d["name"]), _safe(d["team"]), d["status"],
                         _num(d["overall"]), _num(d["coverage"]), d["fit"] or "",
                         *[_num(d["layers"][i]) for i, _t in layers], _num(d["critical"]),
                         _num(d["high"]), d["now_open"], d["overdue"], d["updated_at"],
                         _figures(row)])
    return out.getvalue()


def _figures(row: Row) -> str:
    """Whether the row's figures are the assessment's current ones, and why not."""
    return _safe(row.problem) if row.problem else "updating" if row.updating else "current"


def _num(value: Any) -> str:
    return "" if value is None else f"{value:g}"


def _safe(text: str) -> str:
    """Spreadsheets run a cell starting with = + - @ as a formula: make it text."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def spark(points: list[Any]) -> dict[str, Any] | None:
    """Polyline and dots of a score trend (0-100 mapped into the box); None without 2 scores."""
    scored = [p for p in points if p.score is not None]
    if len(scored) < 2:
        return None
    step = (SPARK_WIDTH - 2 * SPARK_PAD) / (len(scored) - 1)
    inner = SPARK_HEIGHT - 2 * SPARK_PAD
    xy = [(SPARK_PAD + i * step, SPARK_PAD + inner * (1 - p.score / 100))
          for i, p in enumerate(scored)]
    label = ", ".join(f"{p.label} {score(p.score)}" for p in scored)
    return {"width": SPARK_WIDTH, "height": SPARK_HEIGHT, "label": label,
            "points": " ".join(f"{x:.1f},{y:.1f}" for x, y in xy),
            "last": {"x": round(xy[-1][0], 1), "y": round(xy[-1][1], 1)},
            "direction": _direction(scored[-2].score, scored[-1].score)}


def _direction(before: float, after: float) -> str:
    return "up" if after > before else "down" if after < before else "same"


def heat(score: float | None) -> str:
    """The heat map class of a layer score: 0 (weak) to 4 (strong), or none."""
    if score is None:
        return "heat-none"
    return f"heat-{min(4, int(score // 20))}"


def page_rows(rows: list[Row], layers: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """What each table row shows, prepared here so the template only prints. The heat map's
    cells (most of the page) are one piece of markup per row, each title escaped once."""
    labels = [(i, escape(title)) for i, title in layers]
    out = []
    for row in rows:
        scores = {i: score for i, _t, score in (row.facts.layers if row.facts else ())}
        cells = Markup("".join(
            f'<td data-label="{label}" class="heat {heat(scores.get(i))}">'
            f'{"–" if scores.get(i) is None else score(scores[i])}</td>' for i, label in labels))
        out.append({"row": row, "f": row.facts, "cells": cells, "spark": spark(row.trend)})
    return out
