"""Precision and recall per kind on real files, against hand labels (accuracy_labels.yaml).

Every finding on the corpus and the GitLab fixtures must be labelled; a new, unlabelled finding
fails until someone judges it. The figures are printed (`pytest -s`) and held to the bar of the
reviewer's goal: at least 9 findings in 10 agreed with, at most 1 real problem in 10 missed.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest
import yaml

from webapp.reviewer import review

LABELS = yaml.safe_load((Path(__file__).parent / "accuracy_labels.yaml").read_text("utf-8"))
GITLAB = Path(__file__).parent / "fixtures" / "gitlab"
BAR = 0.9


@pytest.fixture(scope="module")
def found(corpus):
    files = sorted(p for kind in ("gha", "compose", "k8s") for p in (corpus / kind).iterdir())
    result = defaultdict(set)
    for finding in review(files, root=corpus).active:
        result[finding.path].add(f"{finding.rule_id}@{finding.line}")
    for project in sorted(p for p in GITLAB.iterdir() if p.is_dir()):
        for finding in review([project], root=GITLAB).active:
            result[finding.path].add(f"{finding.rule_id}@{finding.line}")
    return result


def test_every_finding_on_the_real_files_is_labelled(found):
    unlabelled = {path: sorted(hits - set(LABELS.get(path, {}).get("agree", []))
                               - set(LABELS.get(path, {}).get("disagree", [])))
                  for path, hits in found.items()}
    assert not {path: hits for path, hits in unlabelled.items() if hits}


def scores(found):
    per_kind = defaultdict(lambda: {"tp": 0, "fp": 0, "fn": 0})
    for path, labels in LABELS.items():
        kind = "gitlab" if "gitlab" in path else path.split("/", 1)[0]
        hits = found.get(path, set())
        agree = set(labels["agree"])
        per_kind[kind]["tp"] += len(hits & agree)
        per_kind[kind]["fp"] += len(hits & set(labels["disagree"]))
        per_kind[kind]["fn"] += len(agree - hits) + len(labels["missed"])
    return per_kind


@pytest.mark.parametrize("kind", ["gha", "gitlab", "compose", "k8s"])
def test_precision_and_recall_meet_the_bar(found, kind):
    counts = scores(found)[kind]
    precision = counts["tp"] / (counts["tp"] + counts["fp"])
    recall = counts["tp"] / (counts["tp"] + counts["fn"])
    print(f"\n{kind}: precision {precision:.2f}, recall {recall:.2f} ({counts})")
    assert precision >= BAR and recall >= BAR
