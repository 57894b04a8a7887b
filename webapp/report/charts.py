"""Chart geometry and colour bands, computed as plain numbers so templates only draw.

Bands run from dark to light so that a greyscale print still orders them; every cell and bar
also prints its number, so colour is never the only carrier of meaning.
"""

from __future__ import annotations

BANDS = (  # (lowest score in the band, band id, label)
    (80, "good", "Good"),
    (60, "fair", "Fair"),
    (40, "weak", "Weak"),
    (0, "poor", "Poor"),
)
NO_SCORE = ("none", "Not scored")
NOT_ASSESSED = "Not assessed"  # a layer without a score: the results page says the same
# (fill, outline) per band; static/css/report.css uses the same values for table cells.
BAND_COLOURS = {
    "poor": ("#a4262c", "#7a1b20"),
    "weak": ("#e07b39", "#b35b22"),
    "fair": ("#f0c45a", "#b8902c"),
    "good": ("#d8efdf", "#5f9e75"),
    "none": ("#eceae6", "#b9b5ae"),
}

# Layer chart, in SVG user units (the template scales the viewBox to the page width).
CHART_WIDTH = 640
LABEL_WIDTH = 110
VALUE_WIDTH = 44
ROW_HEIGHT = 34
BAR_HEIGHT = 16
TOP = 8
AXIS_HEIGHT = 22
TICKS = (0, 25, 50, 75, 100)
HEAT_MAP_COLUMNS = 5


def band(score: float | None) -> tuple[str, str]:
    """The (id, label) of the band a 0–100 score falls in; unscored gets its own band."""
    if score is None:
        return NO_SCORE
    for lowest, band_id, label in BANDS:
        if score >= lowest:
            return band_id, label
    return BANDS[-1][1:]


def legend() -> list[dict]:
    rows = [{"band": b, "label": label, "range": f"{low}–{high}"}
            for (low, b, label), high in zip(BANDS, (100, 79, 59, 39), strict=True)]
    return rows + [{"band": NO_SCORE[0], "label": NO_SCORE[1], "range": "N/A"}]


def _track_width() -> int:
    return CHART_WIDTH - LABEL_WIDTH - VALUE_WIDTH


def _bar(index: int, layer: dict) -> dict:
    score = layer["score"]
    band_id, band_label = band(score)
    y = TOP + index * ROW_HEIGHT
    return {
        "label": layer["title"],
        "score": score,
        "value_text": NOT_ASSESSED if score is None else str(score),
        "band": band_id,
        "band_label": band_label,
        "fill": BAND_COLOURS[band_id][0],
        "stroke": BAND_COLOURS[band_id][1],
        "y": y,
        "bar_y": y + (ROW_HEIGHT - BAR_HEIGHT) / 2,
        "text_y": y + ROW_HEIGHT / 2 + 4,
        "width": round(_track_width() * (score or 0) / 100, 1),
    }


def layer_chart(layers: list[dict]) -> dict:
    """Horizontal bar chart geometry: one bar per layer, ticks every 25 points."""
    bars = [_bar(i, layer) for i, layer in enumerate(layers)]
    plot_bottom = TOP + len(bars) * ROW_HEIGHT
    ticks = [{"value": t, "x": round(LABEL_WIDTH + _track_width() * t / 100, 1)} for t in TICKS]
    return {
        "width": CHART_WIDTH,
        "height": plot_bottom + AXIS_HEIGHT,
        "label_width": LABEL_WIDTH,
        "track_width": _track_width(),
        "bar_height": BAR_HEIGHT,
        "plot_top": TOP,
        "plot_bottom": plot_bottom,
        "bars": bars,
        "ticks": ticks,
    }


def heat_map(workflows: list[dict], per_table: int = HEAT_MAP_COLUMNS) -> list[dict]:
    """Pattern × workflow grids: a row per pattern, a column per workflow, several tables when
    there are more workflows than fit across a page. Patterns keep their first-seen order."""
    patterns: dict[str, str] = {}
    for workflow in workflows:
        for pattern in workflow["patterns"]:
            patterns.setdefault(pattern["id"], pattern["title"])
    return [_heat_table(workflows[i:i + per_table], patterns)
            for i in range(0, len(workflows), per_table)]


def _heat_table(workflows: list[dict], patterns: dict[str, str]) -> dict:
    scores = [{p["id"]: p["score"] for p in w["patterns"]} for w in workflows]
    statuses = [{p["id"]: p.get("status") for p in w["patterns"]} for w in workflows]
    rows = [{"pattern": title,
             "cells": [_cell(s.get(pid), pid in s, st.get(pid) == "not_applicable")
                       for s, st in zip(scores, statuses, strict=True)]}
            for pid, title in patterns.items()]
    columns = [{"name": w["name"], "anchor": w["anchor"]} for w in workflows]
    return {"columns": columns, "rows": rows}


def _cell(score: float | None, asked: bool, not_applicable: bool) -> dict:
    band_id, band_label = band(score)
    # An unscored cell is "N/A" only when its questions are marked not applicable; otherwise
    # nothing is answered there yet, and the results page's words apply.
    text = str(score) if score is not None else (
        ("N/A" if not_applicable else NOT_ASSESSED) if asked else "–")
    return {"score": score, "text": text, "band": band_id, "band_label": band_label}
