"""Find automation files and recognise what each one is.

A path may be a file or a folder. Folders are walked for `*.yml` / `*.yaml` (hidden folders
such as `.github` included, vendored and tool folders skipped). The kind of each file comes
from its location and its content: a workflow under `.github/workflows/` or any mapping with
`on` and `jobs` is GitHub Actions; `.gitlab-ci.yml` (and files it includes, recognised by
their name or by holding jobs with a `script:`) is GitLab CI; a top-level `services:` mapping is
compose; documents with `apiVersion` and `kind` are Kubernetes.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from webapp.reviewer.models import Source
from webapp.reviewer.yamlnodes import YamlParseError, load_documents

log = logging.getLogger(__name__)

YAML_SUFFIXES = (".yml", ".yaml")
SKIP_DIRS = frozenset(
    {".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__", ".tox", "vendor"}
)
MAX_BYTES = 2_000_000
_GO_TEMPLATE = re.compile(r"(?<!\$)\{\{")
NOT_AUTOMATION = "not a GitHub Actions, GitLab CI, compose or Kubernetes file"


@dataclass
class Discovery:
    """What a set of paths holds: parsed sources, files that failed to parse, files skipped."""

    sources: list[Source] = field(default_factory=list)
    parse_errors: list[tuple[str, YamlParseError]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  #: (display path, reason)


def discover(paths: Iterable[Path], root: Path | None = None) -> Discovery:
    """Read every automation file under `paths`; `root` makes the displayed paths relative."""
    root = (root or Path.cwd()).resolve()
    result = Discovery()
    seen: set[Path] = set()
    for path in _candidates(paths):
        resolved = path.resolve()
        if resolved not in seen:
            seen.add(resolved)
            _read_one(path, display_path(resolved, root), result)
    return result


def display_path(path: Path, root: Path) -> str:
    """Repository-relative POSIX path when the file is under `root`, else the absolute path."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


GITLAB_NAME = re.compile(r"(^|/)(\.gitlab-ci\.ya?ml|[^/]*\.gitlab-ci\.ya?ml)$|(^|/)\.gitlab/ci/")
_GITLAB_JOB_KEYS = ("stage", "rules", "only", "except", "extends", "image", "needs", "when")
_GITLAB_TEMPLATE_KEYS = ("script", "before_script", "image", "services", "rules", "extends",
                         "tags", "stage", "artifacts", "cache", "retry", "timeout")


def pipeline_document(docs: list[Any]) -> Any:
    """A GitLab CI file's pipeline: the document after a `spec:` header when there is one."""
    if len(docs) > 1 and isinstance(docs[0], dict) and set(docs[0]) == {"spec"}:
        return docs[1]
    return docs[0] if docs else None


def _gitlab(display: str, docs: list[Any]) -> bool:
    doc = pipeline_document(docs)
    if not isinstance(doc, dict) or "apiVersion" in doc or ("on" in doc and "jobs" in doc):
        return False
    if GITLAB_NAME.search(display):
        return True
    return any(isinstance(job, dict) and ("script" in job or "trigger" in job)
               and any(key in job for key in _GITLAB_JOB_KEYS) for job in doc.values()) or (
        # an included file of hidden job templates (`.dind:`, `.rules:`)
        bool(doc) and all(str(k).startswith(".") for k in doc)
        and any(isinstance(v, dict) and any(key in v for key in _GITLAB_TEMPLATE_KEYS)
                for v in doc.values())
    )


def classify(display: str, docs: list[Any]) -> str | None:
    """gha, gitlab, compose, k8s, or None when the file is none of these."""
    first = docs[0] if docs else None
    if _gitlab(display, docs) and not (
        isinstance(first, dict) and isinstance(first.get("services"), dict)
        and not GITLAB_NAME.search(display)
    ):
        return "gitlab"
    if isinstance(first, dict):
        if "/.github/workflows/" in f"/{display}" and ("jobs" in first or "on" in first):
            return "gha"
        if "jobs" in first and "on" in first:
            return "gha"
        if isinstance(first.get("services"), dict) and "apiVersion" not in first:
            return "compose"
    if any(isinstance(doc, dict) and "apiVersion" in doc and "kind" in doc for doc in docs):
        return "k8s"
    return None


def _candidates(paths: Iterable[Path]) -> Iterator[Path]:
    for path in paths:
        if path.is_dir():
            yield from _walk(path)
        else:
            yield path


def _walk(folder: Path) -> Iterator[Path]:
    for entry in sorted(folder.iterdir()):
        if entry.is_dir():
            if entry.name not in SKIP_DIRS:
                yield from _walk(entry)
        elif entry.suffix.lower() in YAML_SUFFIXES:
            yield entry


def _read_one(path: Path, display: str, result: Discovery) -> None:
    if path.suffix.lower() not in YAML_SUFFIXES:
        result.skipped.append((display, "not a YAML file"))
        return
    if path.stat().st_size > MAX_BYTES:
        result.skipped.append((display, "larger than 2 MB"))
        return
    text = path.read_text(encoding="utf-8", errors="replace")
    if _GO_TEMPLATE.search(text):
        result.skipped.append((display, "a template (contains {{ }}), not plain YAML"))
        return
    _parse_into(path, display, text, result)


def _parse_into(path: Path, display: str, text: str, result: Discovery) -> None:
    try:
        docs = load_documents(text)
    except YamlParseError as exc:
        result.parse_errors.append((display, exc))
        return
    kind = classify(display, docs)
    if kind is None:
        result.skipped.append((display, NOT_AUTOMATION))
        return
    result.sources.append(Source(path=path, display=display, kind=kind, text=text, docs=docs))
    log.debug("reviewing %s as %s", display, kind)


def discover_texts(files: Mapping[str, str]) -> Discovery:
    """The same as `discover` for content already in memory (an upload), keyed by the path it
    has in its repository (`.github/workflows/release.yml`), which also decides its kind."""
    result = Discovery()
    for display, text in sorted(files.items()):
        if Path(display).suffix.lower() not in YAML_SUFFIXES:
            result.skipped.append((display, "not a YAML file"))
        else:
            _parse_into(Path(display), display, text, result)
    return result


def source_from_text(text: str, display: str = "snippet.yaml", kind: str | None = None) -> Source:
    """A source built from text (check fixtures, uploads); raises YamlParseError."""
    docs = load_documents(text)
    found = kind or classify(display, docs)
    if found is None:
        raise ValueError(f"{display}: {NOT_AUTOMATION}")
    return Source(path=Path(display), display=display, kind=found, text=text, docs=docs)
