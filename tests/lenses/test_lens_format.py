"""Reading lens files: the shipped samples import, and every limit and error is named."""

from __future__ import annotations

import json

import pytest

from tests.lenses.conftest import COGNITO, ECS, ORR, as_bytes
from webapp.domain.lens import LensInvalid, lens_warnings, read_lens


@pytest.mark.parametrize(
    ("name", "pillars", "questions"), [(ORR, 3, 16), (ECS, 7, 36), (COGNITO, 5, 42)]
)
def test_the_shipped_sample_lenses_import_unchanged(corpus_lenses, name, pillars, questions):
    lens = read_lens((corpus_lenses / name).read_bytes())
    assert len(lens.pillars) == pillars
    assert len(lens.questions()) == questions


def test_a_minified_file_reads_like_the_pretty_one(corpus_lenses):
    pretty = (corpus_lenses / ORR).read_text()
    minified = json.dumps(json.loads(pretty), separators=(",", ":"))
    assert read_lens(minified) == read_lens(pretty)


def test_unknown_keys_are_ignored(small_lens):
    small_lens["_version"] = "1.2"
    small_lens["_teams"] = ["ops"]
    small_lens["pillars"][0]["questions"][0]["choices"][0]["number"] = 1
    assert read_lens(as_bytes(small_lens)).pillars[0].questions[0].choices[0].id == "bk_tested"


def test_a_question_without_a_default_rule_imports_with_a_warning(corpus_lenses):
    lens = read_lens((corpus_lenses / ECS).read_bytes())
    assert [(w.pillar, w.question) for w in lens_warnings(lens)] == [("NET", "NET3")]


def test_a_key_in_the_wrong_case_imports_with_a_warning_naming_it(corpus_lenses):
    """The ORR sample writes one link as `Url`: AWS's schema says `url`, so the link was
    dropped without a word."""
    raw = (corpus_lenses / ORR).read_bytes()
    warnings = [str(w) for w in lens_warnings(read_lens(raw), raw)]
    assert warnings[0] == (
        "pillar architecture, question architecture_dependency_retry: "
        "choices[1].helpfulResource.Url: is not a key of a lens file; did you mean 'url'? "
        "It was ignored")


def test_a_rule_that_can_never_hold_imports_with_a_warning(corpus_lenses):
    """The ORR sample has `(rto_defined) && (!rto_defined)`: its risk is never given."""
    raw = (corpus_lenses / ORR).read_bytes()
    warnings = [str(w) for w in lens_warnings(read_lens(raw), raw)]
    assert [w for w in warnings if "never" in w] == [
        "pillar architecture, question architecture_rpo_rto: riskRules[1].condition: "
        "'(rto_defined) && (!rto_defined)' can never hold, whatever is chosen: its "
        "MEDIUM_RISK is never given"]
    for name in (ECS, COGNITO):  # real rules that can hold are not flagged
        raw = (corpus_lenses / name).read_bytes()
        assert not [w for w in lens_warnings(read_lens(raw), raw) if "never" in str(w)]


def _problems(data) -> list[str]:
    with pytest.raises(LensInvalid) as caught:
        read_lens(as_bytes(data) if isinstance(data, dict) else data)
    return [str(p) for p in caught.value.problems]


def test_a_file_over_500_kb_is_refused(small_lens):
    small_lens["padding"] = "x" * 600_000
    assert _problems(small_lens) == ["file: is 587 KB; a lens file may be 500 KB at most"]


def test_a_file_that_is_not_json_is_refused_with_its_line():
    assert _problems(b'{\n "name": }') == [
        "file: is not valid JSON (Expecting value at line 2, column 10)"
    ]


def _question(lens):
    return lens["pillars"][0]["questions"][0]


def _choice(lens):
    return _question(lens)["choices"][0]


def _many(n, make):
    return [make(i) for i in range(n)]


LIMITS = [
    ("name too long", lambda d: d.update(name="n" * 129), "name: is 129 characters; at most 128"),
    (
        "description too long",
        lambda d: d.update(description="d" * 2049),
        "description: is 2049 characters; at most 2048",
    ),
    (
        "wrong schema version",
        lambda d: d.update(schemaVersion="2020-01-01"),
        "schemaVersion: must be 2021-11-01, not '2020-01-01'",
    ),
    ("no name", lambda d: d.pop("name"), "name: is required"),
    (
        "eleven pillars",
        lambda d: d.update(pillars=_many(11, lambda i: dict(d["pillars"][0], id=f"p{i:03}"))),
        "pillars: has 11 entries; at most 10",
    ),
    (
        "pillar id too short",
        lambda d: d["pillars"][0].update(id="ab"),
        "pillar ab: id: 'ab' is not an id",
    ),
    (
        "pillar id with a hyphen",
        lambda d: d["pillars"][0].update(id="back-up"),
        "pillar back-up: id: 'back-up' is not an id",
    ),
    (
        "21 questions",
        lambda d: d["pillars"][0].update(
            questions=_many(21, lambda i: dict(_question(d), id=f"q{i:03}"))
        ),
        "pillar backup: questions: has 21 entries; at most 20",
    ),
    (
        "question title too long",
        lambda d: _question(d).update(title="t" * 129),
        "pillar backup, question bk_restore: title: is 129 characters; at most 128",
    ),
    (
        "question description too long",
        lambda d: _question(d).update(description="d" * 2049),
        "pillar backup, question bk_restore: description: is 2049 characters",
    ),
    (
        "16 choices",
        lambda d: _question(d).update(choices=_many(16, lambda i: dict(_choice(d), id=f"c{i:03}"))),
        "pillar backup, question bk_restore: choices: has 16 entries; at most 15",
    ),
    (
        "4 risk rules",
        lambda d: _question(d)["riskRules"].insert(
            0, {"condition": "bk_tested", "risk": "NO_RISK"}
        ),
        "pillar backup, question bk_restore: riskRules: has 4 entries; at most 3",
    ),
    (
        "two default rules",
        lambda d: _question(d)["riskRules"].__setitem__(
            0, {"condition": "default", "risk": "NO_RISK"}
        ),
        "pillar backup, question bk_restore: riskRules: has 2 'default' rules; one at most",
    ),
    (
        "unknown risk",
        lambda d: _question(d)["riskRules"][0].update(risk="LOW_RISK"),
        "pillar backup, question bk_restore: riskRules[0].risk: input should be 'HIGH_RISK'",
    ),
    (
        "unknown choice in a condition",
        lambda d: _question(d)["riskRules"][0].update(condition="bk_tested && off_yes"),
        "pillar backup, question bk_restore: riskRules[0].condition: names 'off_yes', which is "
        "not a choice of this question",
    ),
    (
        "condition syntax",
        lambda d: _question(d)["riskRules"][1].update(condition="bk_tested ||"),
        "pillar backup, question bk_restore: riskRules[1].condition: the condition ends too early",
    ),
    (
        "code in a condition",
        lambda d: _question(d)["riskRules"][0].update(condition="__import__('os')"),
        'riskRules[0].condition: unexpected character "\'"',
    ),
    (
        "unclosed parenthesis",
        lambda d: _question(d)["riskRules"][0].update(condition="(bk_tested && bk_documented"),
        "riskRules[0].condition: the '(' at 1 is not closed",
    ),
    (
        "duplicate choice id",
        lambda d: _question(d)["choices"][1].update(id="bk_tested"),
        "pillar backup, question bk_restore: choices: choice id 'bk_tested' is used twice",
    ),
    (
        "duplicate question id",
        lambda d: d["pillars"][0]["questions"][1].update(id="bk_restore"),
        "questions: question id 'bk_restore' is used twice",
    ),
    (
        "choice without improvement plan",
        lambda d: _choice(d).pop("improvementPlan"),
        "pillar backup, question bk_restore: choices[0].improvementPlan.displayText: is required",
    ),
    (
        "choice title too long",
        lambda d: _choice(d).update(title="c" * 129),
        "pillar backup, question bk_restore: choices[0].title: is 129 characters",
    ),
    (
        "six additional resources",
        lambda d: _choice(d).update(
            additionalResources=[
                {
                    "type": "HELPFUL_RESOURCE",
                    "content": _many(
                        6, lambda i: {"displayText": f"r{i}", "url": "https://example.com"}
                    ),
                }
            ]
        ),
        "choices[0].additionalResources[0].content: has 6 entries; at most 5",
    ),
    (
        "helpful resource without text",
        lambda d: _question(d)["helpfulResource"].pop("displayText"),
        "pillar backup, question bk_restore: helpfulResource.displayText: is required",
    ),
    (
        "no choices",
        lambda d: _question(d).update(choices=[]),
        "pillar backup, question bk_restore: choices: must not be empty",
    ),
]


@pytest.mark.parametrize(("case", "change", "expected"), LIMITS, ids=[c[0] for c in LIMITS])
def test_each_limit_and_error_is_refused_naming_its_place(small_lens, case, change, expected):
    change(small_lens)
    problems = _problems(small_lens)
    assert any(expected in p for p in problems), problems


def test_the_none_of_these_choice_needs_no_improvement_plan(small_lens):
    lens = read_lens(as_bytes(small_lens))
    assert lens.pillars[0].questions[0].choice("bk_no").improvementPlan is None
