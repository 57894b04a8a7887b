"""An assessment pins its questionnaire version: a new version never changes old results."""

from __future__ import annotations

import pytest

from webapp.domain import ContentError, evaluate, load_content

from .helpers import answers_of

V1 = "questionnaires/mini.yaml"


def test_each_version_scores_with_its_own_choices(broken_content) -> None:
    root = broken_content(V1, "version: 1", "version: 1")
    v2 = (root / V1).read_text().replace("version: 1", "version: 2")
    v2 = v2.replace(
        "{id: causes, label: On causes only, score: 40}",
        "{id: causes, label: On causes only, score: 60}",
    )
    (root / "questionnaires" / "mini-v2.yaml").write_text(v2)
    content = load_content(root)
    assert content.questionnaire().version == 2
    old = answers_of({"observe.alerts": "causes"})
    new = answers_of({"observe.alerts": "causes"})
    new.version = 2
    assert evaluate(content, old).layers[0].score == 40.0
    assert evaluate(content, new).layers[0].score == 60.0
    assert evaluate(content, old).questionnaire.version == 1


def test_the_same_version_twice_is_refused(broken_content) -> None:
    root = broken_content(V1, "version: 1", "version: 1")
    (root / "questionnaires" / "copy.yaml").write_text((root / V1).read_text())
    with pytest.raises(ContentError, match="duplicate questionnaire 'mini-review v1'"):
        load_content(root)
