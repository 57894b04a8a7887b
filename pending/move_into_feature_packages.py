# ruff: noqa: E501  (a one-off script; its tables read better on one line)
"""Move the web half of Faultline into feature packages (issue 11). Rehearsed on the tree of
session 2's end: the whole suite and the browser tests passed after it, and an import-linter
layers contract (sharing > tracking > results > assessments > audit > teams > accounts > core)
was kept. Modules added since (accounts, API, portfolio, lenses, queue) need entries in MOVES;
the script names every file it cannot place.

Usage: python pending/move_into_feature_packages.py .   (then ruff check --fix --select F401,I,
then the tests)
Fails loudly when a file in an old location or a symbol in a split module has no destination.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(sys.argv[1]).resolve()
W = REPO / "webapp"

# old module -> new module (whole-file moves)
MOVES: dict[str, str] = {
    # core: plumbing every feature uses
    "webapp.core.config": "webapp.core.config",
    "webapp.core.db": "webapp.core.db",
    "webapp.core.extensions": "webapp.core.extensions",
    "webapp.core.logs": "webapp.core.logs",
    "webapp.core.migrate": "webapp.core.migrate",
    "webapp.core.security": "webapp.core.security",
    "webapp.core.startup": "webapp.core.startup",
    "webapp.core.services": "webapp.core.services",
    "webapp.core.error_pages": "webapp.core.error_pages",
    "webapp.core.health": "webapp.core.health",
    "webapp.core.home": "webapp.core.home",
    # accounts
    "webapp.accounts.services": "webapp.accounts.services",
    "webapp.accounts.views": "webapp.accounts.views",
    # teams
    "webapp.teams.services": "webapp.teams.services",
    "webapp.teams.views": "webapp.teams.views",
    # audit
    "webapp.audit.services": "webapp.audit.services",
    # assessments
    "webapp.assessments.models": "webapp.assessments.models",
    "webapp.assessments.services": "webapp.assessments.services",
    "webapp.assessments.answers": "webapp.assessments.answers",
    "webapp.assessments.workflows": "webapp.assessments.workflows",
    "webapp.assessments.automation": "webapp.assessments.automation",
    "webapp.assessments.submissions": "webapp.assessments.submissions",
    "webapp.assessments.progress": "webapp.assessments.progress",
    "webapp.assessments.evaluation": "webapp.assessments.evaluation",
    "webapp.assessments.evidence": "webapp.assessments.evidence",
    "webapp.assessments.forms": "webapp.assessments.forms",
    "webapp.assessments.forms_automation": "webapp.assessments.forms_automation",
    "webapp.assessments.views": "webapp.assessments.views",
    "webapp.assessments.views.automation": "webapp.assessments.views.automation",
    "webapp.assessments.views.autosave": "webapp.assessments.views.autosave",
    "webapp.assessments.views.dashboard": "webapp.assessments.views.dashboard",
    "webapp.assessments.views.pages": "webapp.assessments.views.pages",
    "webapp.assessments.views.questions": "webapp.assessments.views.questions",
    "webapp.assessments.views.workflows": "webapp.assessments.views.workflows",
    # results
    "webapp.results.views": "webapp.results.views",
    "webapp.results.page": "webapp.results.page",
    # tracking
    "webapp.tracking.models": "webapp.tracking.models",
    "webapp.tracking.services": "webapp.tracking.services",
    "webapp.tracking.milestones": "webapp.tracking.milestones",
    "webapp.tracking.forms": "webapp.tracking.forms",
    "webapp.tracking.views": "webapp.tracking.views",
    "webapp.tracking.milestone_views": "webapp.tracking.milestone_views",
    # sharing
    "webapp.sharing.models": "webapp.sharing.models",
    "webapp.sharing.services": "webapp.sharing.services",
    "webapp.sharing.clients": "webapp.sharing.clients",
    "webapp.sharing.forms": "webapp.sharing.forms",
    "webapp.sharing.views": "webapp.sharing.views",
    "webapp.sharing.public_views": "webapp.sharing.public_views",
}
#: moves that keep a package (its modules move one by one below)
PACKAGE_MOVES = {"webapp.assessments.views"}
#: split modules that disappear once split (webapp.models stays: it imports every model module)
DELETE_AFTER_SPLIT = {"webapp.forms", "webapp.views"}
EXTRA_MOVES = Path(__file__).with_name("move_extra.py")  # optional: more MOVES / SPLITS

# modules whose top-level definitions are split between features: symbol -> new module
SPLITS: dict[str, dict[str, str]] = {
    "webapp.models": {
        "utcnow": "webapp.core.db",
        "Role": "webapp.teams.models", "ROLE_RANKS": "webapp.teams.models",
        "ROLE_VALUES": "webapp.teams.models",
        "Team": "webapp.teams.models", "Membership": "webapp.teams.models",
        "User": "webapp.accounts.models",
    },
    "webapp.forms": {
        "EmptyForm": "webapp.core.forms",
        "SignUpForm": "webapp.accounts.forms", "SignInForm": "webapp.accounts.forms",
        "TeamForm": "webapp.teams.forms",
        "RoleForm": "webapp.teams.forms", "ROLE_CHOICES": "webapp.teams.forms",
        "SHORT_ROLE_CHOICES": "webapp.teams.forms",
    },
    "webapp.views": {
        "members_blueprint": "webapp.core.views",
        "render_form_error": "webapp.core.views",
        "member_assessment": "webapp.assessments.access",
    },
    "webapp.sharing.models": {
        "AuditEvent": "webapp.audit.models",
    },
}

SPLIT_DOCS = {
    "webapp.accounts.models": "Accounts: the user and what signing in needs.",
    "webapp.teams.models": "Teams and their members; a member's role decides what they may do.",
    "webapp.audit.models": "The audit log: one row per change somebody made.",
    "webapp.accounts.forms": "Forms of signing up and signing in.",
    "webapp.teams.forms": "Forms of teams and their members.",
    "webapp.core.forms": "Forms every feature uses.",
    "webapp.core.views": "Helpers every feature's blueprint uses: sign-in required, refused forms.",
    "webapp.assessments.access": "The assessment a request may see, for other features' views.",
}
SPLIT_IMPORTS = {
    "webapp.core.db": "from datetime import UTC, datetime\n\nfrom sqlalchemy import DateTime, func\n"
                      "from sqlalchemy.orm import mapped_column\n",
    "webapp.accounts.models": "from typing import TYPE_CHECKING\n\nfrom webapp.core.db import utcnow\n"
                              "\nif TYPE_CHECKING:\n    from webapp.teams.models import Membership\n",
    "webapp.teams.models": "from typing import TYPE_CHECKING\n\nfrom webapp.core.db import utcnow\n"
                           "\nif TYPE_CHECKING:\n    from webapp.accounts.models import User\n",
    "webapp.audit.models": "from typing import TYPE_CHECKING\n\n"
                           "\nif TYPE_CHECKING:\n    from webapp.assessments.models import Assessment\n",
    "webapp.teams.forms": "from webapp.accounts.forms import email_field\n",
}
#: code added to a module (the shared column helper)
EXTRA_CODE = {
    "webapp.core.db": '''

def timestamp_column(**kwargs: Any) -> Any:
    """A timezone-aware timestamp set by the application, with a database default too."""
    return mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.now(), **kwargs
    )
''',
}

PACKAGE_DOCS = {
    "core": "Plumbing every feature uses: settings, database, errors, logging, security headers,\n"
            "start-up checks, health, serving. Imports no feature package.",
    "accounts": "Accounts: sign-up, sign-in, sessions, passwords.",
    "teams": "Teams, their members and roles, and the access check every feature calls.",
    "audit": "The audit log: who changed what, in words a reader understands.",
    "assessments": "Assessments: answers, workflows, automation evidence, and their evaluation.",
    "results": "The results page and the report of an assessment.",
    "tracking": "Follow-up: milestones, finding tracking, comparison and exports.",
    "sharing": "Share links for stakeholders and the pages they open.",
    "interchange": "Answers files in and out of the web app, and the next review cycle.",
    "lenses": "AWS custom lenses: imported, answered, reported like any questionnaire.",
    "admin": "The administrator's page: users, sign-up policy, installation settings.",
    "pdfs": "The one download path of every PDF and the cache key and data of each kind.",
}


def sh(*args: str) -> str:
    return subprocess.run(args, cwd=REPO, check=True, capture_output=True, text=True).stdout


def path_of(module: str) -> Path:
    rel = Path(*module.split("."))
    package = REPO / rel / "__init__.py"
    return package if package.exists() else REPO / rel.with_suffix(".py")


def dest_path(module: str, is_package: bool) -> Path:
    rel = Path(*module.split("."))
    return REPO / rel / "__init__.py" if is_package else REPO / rel.with_suffix(".py")


def load_extra() -> None:
    if EXTRA_MOVES.exists():
        ns: dict = {}
        exec(EXTRA_MOVES.read_text(), ns)
        MOVES.update(ns.get("MOVES", {}))
        for module, symbols in ns.get("SPLITS", {}).items():
            SPLITS.setdefault(module, {}).update(symbols)


#: folders moved whole, and the text that names them
DIR_MOVES: dict[str, str] = {}
TEXT_EDITS: list[tuple[str, str]] = []


#: tests that start fresh interpreters to guard against import cycles; import-linter does it now
#: (file after the move, before, after): paths computed from a module's own place
FILE_EDITS = [
    ("webapp/core/config.py", "Path(__file__).resolve().parent.parent",
     "Path(__file__).resolve().parents[2]"),
    ("webapp/core/migrate.py", 'Path(__file__).resolve().parent / "migrations"',
     'Path(__file__).resolve().parents[1] / "migrations"'),
    # audit sits below assessments: the annotation needs no import at run time
    ("webapp/audit/services.py", "from webapp.assessments.models import Assessment\n", ""),
    ("webapp/audit/services.py", "from typing import Any, Protocol",
     "from typing import TYPE_CHECKING, Any, Protocol"),
    ("webapp/audit/services.py", "from webapp.core.db import utcnow\n",
     "from webapp.core.db import utcnow\n\nif TYPE_CHECKING:\n"
     "    from webapp.assessments.models import Assessment\n"),
]
OBSOLETE = ["tests/web/test_imports.py"]


def move_files() -> None:
    for path in OBSOLETE:
        if (REPO / path).exists():
            sh("git", "rm", "-q", path)
    for old, new in DIR_MOVES.items():
        if (REPO / old).exists():
            (REPO / new).parent.mkdir(parents=True, exist_ok=True)
            sh("git", "mv", old, new)
    for pkg, doc in PACKAGE_DOCS.items():
        init = W / pkg / "__init__.py"
        init.parent.mkdir(exist_ok=True)
        if not init.exists():
            init.write_text(f'"""{doc}"""\n')
            sh("git", "add", str(init))
    # packages first (their __init__), deepest modules last
    for old, new in sorted(MOVES.items(), key=lambda kv: kv[0].count(".")):
        src = path_of(old)
        if not src.exists():
            continue
        is_pkg = src.name == "__init__.py" and old in PACKAGE_MOVES
        dst = dest_path(new, is_pkg)
        dst.parent.mkdir(parents=True, exist_ok=True)
        if dst.exists() and is_pkg:  # new package already created: move the init content
            dst.unlink()
        sh("git", "mv", str(src), str(dst))
    # the modules inside a moved package (e.g. views/assessments/*) were moved explicitly


def rewrite_modules(text: str) -> str:
    olds = sorted(MOVES, key=len, reverse=True)
    pattern = re.compile(r"\b(" + "|".join(re.escape(o) for o in olds) + r")(?![\w])")
    return pattern.sub(lambda m: MOVES[m.group(1)], text)


def all_sources() -> list[Path]:
    files = [Path(p) for p in sh("git", "ls-files").split()]
    files += [Path(p) for p in sh("git", "ls-files", "--others", "--exclude-standard").split()]
    return [REPO / f for f in files if f.suffix in {".py", ".ini", ".toml", ".cfg", ".md"} and
            (REPO / f).exists()]


IMPORT_FROM = re.compile(
    r"^(?P<indent>[ \t]*)from (?P<mod>[\w.]+) import (?P<names>\([^)]*\)|[^\n]*(?:\\\n[^\n]*)*)",
    re.M)


def rewrite_from_imports(text: str, path: Path) -> str:
    """`from X import a, b as c` with X, X.a or the symbol a moved: one line per destination."""
    def fix(m: re.Match) -> str:
        mod = m.group("mod")
        if not mod.startswith("webapp"):
            return m.group(0)
        raw = re.sub(r"#[^\n]*", "", m.group("names").strip("()").replace("\\\n", " "))
        names = [n.strip() for n in raw.replace("\n", " ").split(",") if n.strip()]
        groups: dict[str, list[str]] = {}
        for name in names:
            base, _, alias = (p.strip() for p in name.partition(" as "))
            full = f"{mod}.{base}"
            if full in MOVES:
                parent, leaf = MOVES[full].rsplit(".", 1)
                local = alias or base
                groups.setdefault(parent, []).append(leaf if leaf == local else f"{leaf} as {local}")
            elif mod in SPLITS and base in SPLITS[mod]:
                groups.setdefault(SPLITS[mod][base], []).append(name)
            elif mod in SPLITS and mod not in MOVES:
                raise SystemExit(f"{path}: '{base}' from {mod} has no destination")
            else:
                groups.setdefault(MOVES.get(mod, mod), []).append(name)
        if list(groups) == [mod]:
            return m.group(0)
        indent = m.group("indent")
        comment = re.search(r"#[^\n]*", m.group("names"))
        out = [f"{indent}from {t} import {', '.join(ns)}" for t, ns in groups.items()]
        if comment:
            out[0] += "  " + comment.group(0)
        return "\n".join(out)

    return IMPORT_FROM.sub(fix, text)


def split_module(module: str, symbols: dict[str, str]) -> None:
    src = path_of(MOVES.get(module, module))
    text = src.read_text()
    tree = ast.parse(text)
    lines = text.splitlines(keepends=True)
    imports = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
    head_end = max((n.end_lineno for n in imports if n.lineno < 60), default=0)
    header = "".join(lines[:head_end]) + "\n"
    # keep a bottom import block (registries) in the source
    pieces: dict[str, list[str]] = {}
    keep: list[str] = []
    body = [n for n in tree.body if n.lineno > head_end]
    for i, node in enumerate(body):
        start = node.lineno - 1
        if getattr(node, "decorator_list", None):
            start = min(d.lineno for d in node.decorator_list) - 1
        # attach preceding comment lines
        while start > 0 and lines[start - 1].lstrip().startswith("#"):
            start -= 1
        end = body[i + 1].lineno - 1 if i + 1 < len(body) else len(lines)
        nxt = body[i + 1] if i + 1 < len(body) else None
        if nxt is not None and getattr(nxt, "decorator_list", None):
            end = min(d.lineno for d in nxt.decorator_list) - 1
        while nxt is not None and end > start and lines[end - 1].lstrip().startswith("#"):
            end -= 1
        chunk = "".join(lines[start:end])
        names = _defined(node)
        targets = {symbols[n] for n in names if n in symbols}
        if not targets:
            if isinstance(node, (ast.Import, ast.ImportFrom, ast.Expr)) or module in MOVES:
                keep.append(chunk)
                continue
            raise SystemExit(f"{module}: {names or ast.dump(node)[:60]} has no destination")
        (target,) = targets
        pieces.setdefault(target, []).append(chunk)
    imports_only = "".join(
        "".join(lines[n.lineno - 1:n.end_lineno]) for n in imports
        if n.lineno <= head_end and not (isinstance(n, ast.ImportFrom) and n.module == "__future__"))
    for target, chunks in pieces.items():
        dst = dest_path(target, False)
        dst.parent.mkdir(parents=True, exist_ok=True)
        extra = SPLIT_IMPORTS.get(target, "")
        if dst.exists():
            existing = dst.read_text()
            top = _after_imports(existing)
            dst.write_text(existing[:top] + imports_only + extra + existing[top:].rstrip()
                           + "\n\n\n" + "".join(chunks))
        else:
            doc = SPLIT_DOCS[target]
            dst.write_text(f'"""{doc}"""\n\nfrom __future__ import annotations\n\n'
                           + imports_only + extra + "\n\n" + "".join(chunks))
    if module in MOVES:
        src.write_text(header + "".join(keep))
    elif module in DELETE_AFTER_SPLIT:
        sh("git", "rm", "-q", "-f", str(src))
    else:
        src.write_text(header + "".join(c for c in keep if "import" in c))


def _after_imports(text: str) -> int:
    """Offset just after the last top-level import of the module's head."""
    tree = ast.parse(text)
    last = max(n.end_lineno for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom)))
    return sum(len(line) for line in text.splitlines(keepends=True)[:last])


def post_edits() -> None:
    """One timestamp column helper (core.db) instead of one per model module."""
    helper = re.compile(r"\ndef _timestamp\(\*\*kwargs: Any\) -> Any:\n    return mapped_column\(\n"
                        r"[^\n]*\n    \)\n\n", re.M)
    for src in all_sources():
        if src.name != "models.py" or "webapp" not in src.parts:
            continue
        text = src.read_text()
        new = helper.sub("\n", text)
        if "_timestamp(" in new and src.name != "db.py":
            new = new.replace("_timestamp(", "timestamp_column(")
            top = _after_imports(new)
            new = new[:top] + "from webapp.core.db import timestamp_column\n" + new[top:]
        if new != text:
            src.write_text(new)


def _defined(node: ast.AST) -> set[str]:
    if isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef)):
        return {node.name}
    if isinstance(node, ast.Assign):
        return {t.id for t in node.targets if isinstance(t, ast.Name)}
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return {node.target.id}
    return set()


def _all_defined(chunks: list[str]) -> set[str]:
    out: set[str] = set()
    for c in chunks:
        try:
            for n in ast.parse(c).body:
                out |= _defined(n)
        except SyntaxError:
            pass
    return out


def leftovers() -> list[str]:
    bad = []
    for pattern in ("webapp/views/**/*.py", "webapp/services/**/*.py", "webapp/forms_*.py",
                    "webapp/models_*.py"):
        bad += [str(p.relative_to(REPO)) for p in REPO.glob(pattern)
                if p.name != "__init__.py" or p.parent.name not in ("views", "services")]
    return bad


def main() -> None:
    load_extra()
    move_files()
    for old in MOVES:
        for new in MOVES.values():
            assert not re.search(r"\b" + re.escape(old) + r"(?![\w])", new), (old, new)
    for module, symbols in SPLITS.items():
        split_module(module, symbols)
    for src in all_sources():
        text = src.read_text()
        new = rewrite_from_imports(text, src) if src.suffix == ".py" else text
        new = rewrite_modules(new)
        for before, after in TEXT_EDITS:
            new = new.replace(before, after)
        if new != text:
            src.write_text(new)
    post_edits()
    for rel, before, after in FILE_EDITS:
        text = (REPO / rel).read_text()
        assert before in text, (rel, before)
        (REPO / rel).write_text(text.replace(before, after))
    for module, code in EXTRA_CODE.items():
        dst = dest_path(module, False)
        dst.write_text(dst.read_text().rstrip() + "\n" + code)
    for target in {t for symbols in SPLITS.values() for t in symbols.values()}:
        dst = dest_path(target, False)
        lines = dst.read_text().splitlines(keepends=True)
        dst.write_text("".join(line for line in lines if not line.startswith(f"from {target} import ")))
    left = leftovers()
    if left:
        raise SystemExit("not moved: " + ", ".join(left))
    print("moved; now: ruff check --fix --select F401,I webapp tests benchmarks")


if __name__ == "__main__":
    main()
