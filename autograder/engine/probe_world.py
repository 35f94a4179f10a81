"""Build the probe-only world: the only files a sandboxed child can read besides the interpreter.

For one assignment, ``build(id)`` stages (once per fingerprint, under ``build/probe-world/``):

    autograder/checking/{__init__,plain,probing,source}.py   the probe side of the checking API
    autograder/engine/{child,confine}.py              the child harness and its confinement
    autograder/suites/<id>/q*.py, shared.py           the suite, rewritten by ``probe_only``
    site/<package> -> site-packages/<package>         numpy, matplotlib and what they need

``probe_only`` removes from a suite file every ``expect=``, ``judge=`` and ``describe=`` of
``@check``, the ``@test_case`` decorators, comments and docstrings, and then keeps only what the
probes reach (stricter than ``autograder.authoring.public_tests.drop_unused``, which keeps whatever anything refers to): hand-derived formulas, judges, shared
judge helpers and reference values are simply not in the world (``tests/test_isolation.py`` greps
for them).  What stays is what a probe needs: the probes, their helpers, and their case inputs as literal data
(computed by the full suite in the trusted process: the code that generated or filtered them, which
may use a formula, is not needed).
"""

from __future__ import annotations

import ast
import compileall
import hashlib
import importlib.metadata
import math
import os
import re
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .suite import ROOT, SUITES
from .suite import names_used as _used

BUILD = Path(os.environ.get("AUTOGRADER_BUILD", ROOT / "build")).resolve()
CHECKING = ROOT / "autograder" / "checking"
ENGINE = ROOT / "autograder" / "engine"
HARNESS = [CHECKING / "plain.py", CHECKING / "probing.py", CHECKING / "source.py", ENGINE / "child.py",
           ENGINE / "confine.py"]
# What a submission may import besides the standard library (and what the harness itself needs).
ALLOWED_DISTRIBUTIONS = ("numpy", "matplotlib", "landlockpy", "pyseccomp")
KEPT_CHECK_ARGUMENTS = {"cases", "timeout", "repeat"}
OTTER_FILE_VARIABLES = {"OK_FORMAT", "name", "points", "all_or_nothing"}

CHECKING_INIT = '''"""The probe side of the checking API (the sandboxed child's copy)."""
from .plain import Opaque, Raised
from .probing import CheckTimedOut, StudentModule, check, keep_figure, seeded
'''


@dataclass(frozen=True)
class World:
    """A staged probe-only world: ``root`` goes first on the child's sys.path, then ``site`` (whose
    links name the real package folders the child may read: ``child._readable``)."""

    assignment: str
    root: Path
    site: Path


# -- the rewrite ----------------------------------------------------------------------------------
def probe_only(source: str, roots: set[str] = frozenset(), cases: dict[str, list] | None = None
               ) -> tuple[str, dict[str, set[str]]]:
    """(the probe-only source, {module: names still imported from it}).

    ``roots``: names that must stay defined (for a helper module: what the question files import
    from it).  In a question file the roots are its ``@check`` probes.  ``cases``: probe name -> its
    cases as computed by the trusted suite; each probe's ``cases=`` becomes that literal data, so the
    code that generated (or filtered) the inputs, formulas included, is not needed in the world.
    """
    tree = ast.parse(source)
    body = []
    for node in tree.body:
        if _is_docstring(node) or _imports_from(node, "otter.test_files"):
            continue
        if isinstance(node, ast.Assign) and _defined(node) <= OTTER_FILE_VARIABLES:
            continue
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            node.decorator_list = [_strip_check(d) for d in node.decorator_list if not _is_call_to(d, "test_case")]
            if cases is not None and _is_probe(node):
                _set_cases(node, cases[node.name])
        body.append(node)
    if cases and any(_is_probe(n) for n in body):  # literal cases may name numpy scalars
        body.insert(0, ast.parse("import numpy as np").body[0])
    for node in ast.walk(ast.Module(body=body, type_ignores=[])):
        if isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef)) and node.body and _is_docstring(node.body[0]):
            node.body = node.body[1:] or [ast.Pass()]

    imports = [n for n in body if isinstance(n, (ast.Import, ast.ImportFrom))]
    others = [n for n in body if n not in imports]
    kept = [n for n in others if _is_probe(n) or not _defined(n) or _defined(n) & set(roots)]
    changed = True
    while changed:  # keep every definition that something kept refers to, until none is added
        used = set().union(*(_used(n) for n in kept)) if kept else set()
        more = [n for n in others if n not in kept and _defined(n) & used]
        kept += more
        changed = bool(more)
    used = set().union(*(_used(n) for n in kept)) if kept else set()
    imported: dict[str, set[str]] = {}
    for node in imports:
        node.names = [a for a in node.names if (a.asname or a.name).split(".")[0] in used]
        if node.names and isinstance(node, ast.ImportFrom):
            imported.setdefault(node.module or "", set()).update(a.name for a in node.names)
    final = [n for n in body if (n in kept) or (n in imports and n.names)]
    return ast.unparse(ast.Module(body=final, type_ignores=[])) + "\n", imported


def _is_docstring(node: ast.stmt) -> bool:
    return isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)


def _imports_from(node: ast.stmt, module: str) -> bool:
    return isinstance(node, ast.ImportFrom) and node.module == module


def _is_call_to(node: ast.expr, name: str) -> bool:
    return isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) == name


def _strip_check(decorator: ast.expr) -> ast.expr:
    if _is_call_to(decorator, "check"):
        decorator.keywords = [k for k in decorator.keywords if k.arg in KEPT_CHECK_ARGUMENTS]
    return decorator


def _set_cases(probe: ast.FunctionDef, cases: list) -> None:
    decorator = next(d for d in probe.decorator_list if _is_call_to(d, "check"))
    decorator.keywords = [k for k in decorator.keywords if k.arg != "cases"]
    decorator.keywords.insert(0, ast.keyword("cases", ast.parse(literal(cases), mode="eval").body))


def literal(value) -> str:
    """Python source for plain case data (numbers, strings, tuples, lists, dicts, numpy scalars)."""
    if value is None or isinstance(value, (bool, int, str)) and not isinstance(value, np.generic):
        return repr(value)
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else f"float({repr(value)!r})"
    if isinstance(value, np.generic) and value.dtype.kind in "biuf":
        return f"np.{type(value).__name__}({literal(value.item())})"
    if isinstance(value, np.ndarray) and value.dtype.kind in "biuf":
        return f"np.array({literal(value.tolist())}, dtype={value.dtype.str!r})"
    if isinstance(value, tuple):
        return "(" + "".join(literal(v) + ", " for v in value).rstrip(" ") + ")" if value else "()"
    if isinstance(value, list):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{literal(k)}: {literal(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"a case holds a {type(value).__name__}: cases must be plain data")


def _is_probe(node: ast.stmt) -> bool:
    return isinstance(node, ast.FunctionDef) and any(_is_call_to(d, "check") for d in node.decorator_list)


def _defined(node: ast.stmt) -> set[str]:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {node.name}
    if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        return {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
    return set()


# -- staging --------------------------------------------------------------------------------------
def build(assignment: str) -> World:
    """The staged world of ``assignment``, built now unless an identical one exists."""
    suite = SUITES / assignment
    root = BUILD / "probe-world" / f"{assignment}-{fingerprint(assignment)}"
    if not (root / ".complete").exists():
        root.parent.mkdir(parents=True, exist_ok=True)
        # the sandbox user (as root: an unprivileged uid) must read the world, and nothing else here:
        # build/ is only traversable, build/probe-world/ readable; reference/ and logs/ stay private
        os.chmod(BUILD, 0o711)
        os.chmod(root.parent, 0o755)
        tmp = Path(tempfile.mkdtemp(prefix=f".{assignment}-", dir=root.parent))
        try:
            _stage(assignment, suite, tmp)
            os.replace(tmp, root) if not root.exists() else shutil.rmtree(tmp)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        for stale in root.parent.glob(f"{assignment}-*"):  # worlds of older suites (not one a run
            if stale != root and time.time() - stale.stat().st_mtime > 3600:  # started just now may use)
                shutil.rmtree(stale, ignore_errors=True)
    return World(assignment, root, root / "site")


def _stage(assignment: str, suite: Path, dest: Path) -> None:
    pkg = dest / "autograder"
    for sub in ("checking", "engine", f"suites/{assignment}"):
        (pkg / sub).mkdir(parents=True)
    for init in ("__init__.py", "engine/__init__.py", "suites/__init__.py", f"suites/{assignment}/__init__.py"):
        (pkg / init).write_text("")
    (pkg / "checking" / "__init__.py").write_text(CHECKING_INIT)
    for f in HARNESS:
        shutil.copy(f, pkg / f.parent.name / f.name)
    helper_roots: dict[str, set[str]] = {}
    cases = _trusted_cases(assignment)
    for f in sorted(suite.glob("q*.py")):
        text, imported = probe_only(f.read_text(encoding="utf-8"), cases=cases.get(f.stem, {}))
        (pkg / "suites" / assignment / f.name).write_text(text)
        for module, names in imported.items():
            helper_roots.setdefault(module, set()).update(names)
    for f in sorted(suite.glob("*.py")):
        if f.name.startswith("q") or f.name == "__init__.py":
            continue
        roots = helper_roots.get(f"autograder.suites.{assignment}.{f.stem}", set())
        text, _ = probe_only(f.read_text(encoding="utf-8"), roots)
        (pkg / "suites" / assignment / f.name).write_text(text)
    site = dest / "site"
    site.mkdir()
    for name, path in _allowed_packages().items():
        (site / name).symlink_to(path)
    _check_world(dest, assignment)
    # Bytecode once, here: every server start would otherwise compile the suite (literal case data
    # included) again wherever Python does not cache bytecode (PYTHONDONTWRITEBYTECODE, read-only trees).
    compileall.compile_dir(pkg, quiet=1)
    (dest / ".complete").write_text("")
    os.chmod(dest, 0o755)


def _trusted_cases(assignment: str) -> dict[str, dict[str, list]]:
    """question file stem -> probe name -> its cases, from the full suite loaded here (trusted)."""
    from .suite import load_suite

    out: dict[str, dict[str, list]] = {}
    for q in load_suite(assignment):
        for case in q.cases:
            stem, name = case.key.split(":")
            out.setdefault(stem, {})[name] = case.check.cases
    return out


def _check_world(dest: Path, assignment: str) -> None:
    """Every name a staged file imports from the checking API exists in the world's copy of it."""
    offered = set(re.findall(r"\b(\w+)\b", CHECKING_INIT.split('"""', 2)[2]))
    for f in (dest / "autograder" / "suites" / assignment).glob("*.py"):
        for node in ast.walk(ast.parse(f.read_text())):
            if _imports_from(node, "autograder.checking"):
                missing = [a.name for a in node.names if a.name not in offered]
                if missing:
                    raise RuntimeError(f"{assignment}/{f.name}: a probe uses {', '.join(missing)} from "
                                       "autograder.checking, which is judge-side: move that code out of the probe")


def _allowed_packages() -> dict[str, Path]:
    """Top-level importable name -> its real path, for the allowed distributions and their needs."""
    names: dict[str, Path] = {}
    seen, todo = set(), list(ALLOWED_DISTRIBUTIONS)
    while todo:
        dist_name = todo.pop()
        key = dist_name.lower().replace("_", "-")
        if key in seen:
            continue
        seen.add(key)
        try:
            dist = importlib.metadata.distribution(dist_name)
        except importlib.metadata.PackageNotFoundError:
            continue
        for req in dist.requires or []:
            if "extra ==" not in req:
                todo.append(re.match(r"[A-Za-z0-9._-]+", req).group(0))
        for file in dist.files or []:
            top = file.parts[0]
            if top.endswith((".dist-info", ".egg-info", ".pth")) or top in ("..", "__pycache__", "bin"):
                continue
            path = Path(dist.locate_file(top))
            name = top[:-3] if top.endswith(".py") else top
            if path.exists() and re.fullmatch(r"[A-Za-z_][\w.-]*", name):
                names[top if top.endswith(".py") or not path.is_dir() else name] = path
    return names


def fingerprint(assignment: str) -> str:
    """Changes with the suite, the harness, this builder, the interpreter or an allowed package."""
    h = hashlib.sha256()
    files = sorted((SUITES / assignment).glob("*.py")) + HARNESS + [Path(__file__)]
    for p in files:
        h.update(p.name.encode() + b"\0" + p.read_bytes() + b"\0")
    h.update(sys.version.encode())
    for name in ALLOWED_DISTRIBUTIONS:
        try:
            h.update(f"{name}={importlib.metadata.version(name)}".encode())
        except importlib.metadata.PackageNotFoundError:
            pass
    return h.hexdigest()[:16]
