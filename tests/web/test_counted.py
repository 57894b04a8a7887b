"""Counts in product text read the same everywhere: "no findings", "1 finding", "11 findings"."""

from __future__ import annotations

from webapp.core.text import counted, first_upper


def test_zero_one_and_many():
    assert [counted(n, "suggested answer") for n in (0, 1, 6)] == [
        "no suggested answers", "1 suggested answer", "6 suggested answers"]
    assert counted(2, "reply", "replies") == "2 replies"
    assert first_upper(counted(0, "finding")) == "No findings"


def test_templates_use_the_same_helper(app):
    rendered = app.jinja_env.from_string('{{ 0|counted("finding") }}, {{ 1|counted("finding") }}')
    assert rendered.render() == "no findings, 1 finding"
