"""Every automation check proves itself on its own fixtures: ≥1 that fires, ≥1 that stays quiet."""

from __future__ import annotations

import pytest

from webapp.reviewer import load_checks
from webapp.reviewer.detectors import Context
from webapp.reviewer.discovery import source_from_text

CHECKS = load_checks()
CASES = [
    pytest.param(check, expected, snippet, id=f"{check.id}-{expected}-{number}")
    for check in CHECKS
    for expected in ("fires", "quiet")
    for number, snippet in enumerate(getattr(check.fixtures, expected))
]


FIXTURE_PATHS = {"gha": ".github/workflows/fixture.yml", "gitlab": ".gitlab-ci.yml"}


def test_there_are_at_least_25_checks_over_the_four_kinds():
    assert len(CHECKS) >= 25
    assert {check.target for check in CHECKS} == {"gha", "gitlab", "compose", "k8s"}


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.id)
def test_every_check_has_fixtures_both_ways(check):
    assert check.fixtures.fires and check.fixtures.quiet


@pytest.mark.parametrize(("check", "expected", "snippet"), CASES)
def test_fixture_fires_or_stays_quiet(check, expected, snippet):
    source = source_from_text(snippet, FIXTURE_PATHS.get(check.target, "fixture.yaml"))
    assert source.kind == check.target, "the fixture is not recognised as the check's target"
    hits = check.run(source, Context([source]))
    if expected == "fires":
        assert hits, f"{check.id} stayed quiet on a fixture that must fire"
        assert all(1 <= hit.pos.line <= len(source.lines) for hit in hits)
    else:
        assert not hits, f"{check.id} fired on a quiet fixture: {[h.message for h in hits]}"
