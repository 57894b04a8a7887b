"""Hostile YAML is refused fast, with a message naming the limit; real files pass."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from webapp.domain.yamlio import YamlSyntaxError, parse_yaml
from webapp.domain.yamllimits import YamlLimitError, YamlLimits, check_limits
from webapp.reviewer.yamlnodes import YamlParseError, load_documents

REPO = Path(__file__).resolve().parents[2]


def alias_bomb(levels: int = 9, width: int = 9) -> str:
    """The classic "billion laughs": each level repeats the previous one `width` times."""
    lines = ['a0: &a0 "lol"']
    for level in range(1, levels + 1):
        refs = ", ".join(f"*a{level - 1}" for _ in range(width))
        lines.append(f"a{level}: &a{level} [{refs}]")
    return "\n".join(lines) + "\n"


def test_the_alias_bomb_is_a_small_file():
    assert len(alias_bomb().encode()) < 600


@pytest.mark.parametrize("load", [parse_yaml, load_documents], ids=["answers", "automation"])
def test_an_alias_bomb_is_refused_in_well_under_a_second(load):
    started = time.perf_counter()
    with pytest.raises((YamlSyntaxError, YamlParseError), match="limit on nodes"):
        load(alias_bomb())
    assert time.perf_counter() - started < 0.2


def test_deep_nesting_is_refused_naming_the_depth_limit():
    with pytest.raises(YamlLimitError, match="deeper than 64 levels"):
        check_limits("[" * 100 + "]" * 100)


def test_too_many_aliases_are_refused_naming_the_limit():
    text = "base: &b 1\nitems:\n" + "".join("  - *b\n" for _ in range(1_001))
    with pytest.raises(YamlLimitError, match="more than 1,000 aliases"):
        check_limits(text)


def test_a_document_over_the_size_limit_is_refused_before_parsing():
    with pytest.raises(YamlLimitError, match="limit is 100 bytes"):
        check_limits("x: " + "y" * 200, YamlLimits(max_bytes=100))


def test_the_refusal_names_the_line_it_stopped_at():
    with pytest.raises(YamlSyntaxError) as caught:
        parse_yaml("ok: 1\n" + alias_bomb())
    assert str(caught.value).startswith("YAML refused: ")
    assert caught.value.line is not None and caught.value.line > 2


def test_anchors_and_merge_keys_of_real_files_stay_within_the_limits():
    jobs = "".join(f"  job{n}:\n    <<: *defaults\n    name: j{n}\n" for n in range(50))
    text = "defaults: &defaults\n  retries: 3\n  timeout: 10\njobs:\n" + jobs
    documents = load_documents(text)
    assert documents[0]["jobs"]["job49"]["retries"] == 3


def test_every_shipped_and_corpus_yaml_file_passes_the_limits():
    files = [*REPO.glob("questionnaires/*.yaml"), *REPO.glob("rules/**/*.yaml"),
             *REPO.glob("examples/*.yaml"), *REPO.glob("tests/reviewer/**/*.y*ml")]
    assert len(files) > 10
    for path in files:
        check_limits(path.read_text(encoding="utf-8"))
