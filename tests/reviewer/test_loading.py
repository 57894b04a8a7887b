"""Reading automation files: positions, GitHub's `on:` key, multi-document files, kinds."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from webapp.reviewer.discovery import classify, discover
from webapp.reviewer.yamlnodes import Pos, YamlParseError, load_documents


def test_the_on_key_stays_a_string_and_positions_are_one_based():
    [doc] = load_documents("name: CI\non:\n  push:\n    branches: [main]\njobs: {}\n")
    assert "on" in doc and True not in doc
    assert doc.at("on") == Pos(2, 1)
    assert doc["on"].at("push") == Pos(3, 3)
    assert doc["on"]["push"]["branches"].at(0) == Pos(4, 16)


def test_values_keep_yaml_types_but_keys_stay_text():
    [doc] = load_documents("yes: on\ncount: 3\nflag: true\nempty:\n")
    assert doc == {"yes": True, "count": 3, "flag": True, "empty": None}


def test_multi_document_files_and_merge_keys():
    docs = load_documents("a: &base {x: 1, y: 2}\nb:\n  <<: *base\n  y: 3\n---\nkind: Service\n")
    assert len(docs) == 2
    assert docs[0]["b"] == {"x": 1, "y": 3}
    assert docs[1].at("kind") == Pos(6, 1)


def test_parse_errors_carry_the_place():
    with pytest.raises(YamlParseError) as caught:
        load_documents("services:\n  web:\n    image: [unclosed\n")
    assert caught.value.pos.line >= 3


@pytest.mark.parametrize(("path", "text", "kind"), [
    (".github/workflows/ci.yml", "on: push\njobs: {}\n", "gha"),
    ("ci/pipeline.yml", "on: push\njobs: {}\n", "gha"),
    ("docker-compose.yml", "services:\n  web: {image: nginx}\n", "compose"),
    ("deploy.yaml", "apiVersion: v1\nkind: Service\n---\napiVersion: apps/v1\nkind: Deployment\n",
     "k8s"),
    ("notes.yaml", "title: hello\n", None),
])
def test_the_kind_comes_from_content_and_location(path, text, kind):
    assert classify(path, load_documents(text)) == kind


def test_folders_are_walked_including_dot_github_but_not_vendored_folders(write, tmp_path):
    write(".github/workflows/ci.yml", "on: push\njobs: {}\n")
    write("node_modules/pkg/action.yml", "on: push\njobs: {}\n")
    write("chart/templates/deploy.yaml", "apiVersion: v1\nkind: {{ .Values.kind }}\n")
    write("README.md", "# hello\n")
    found = discover([tmp_path], root=tmp_path)
    assert [s.display for s in found.sources] == [".github/workflows/ci.yml"]
    assert [path for path, _ in found.skipped] == ["chart/templates/deploy.yaml"]


def test_the_reviewer_imports_neither_flask_nor_sqlalchemy():
    code = ("import sys, webapp.reviewer, webapp.reviewer.sarif, webapp.reviewer.output;"
            "print([m for m in sys.modules if m.split('.')[0] in ('flask', 'sqlalchemy')])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=Path(__file__).resolve().parents[2], check=True)
    assert out.stdout.strip() == "[]"
