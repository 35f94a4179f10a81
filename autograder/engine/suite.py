"""Load an assignment's test suite: otter test files, parsed by otter itself.

A *question* is one test file ``autograder/suites/<id>/q*.py`` (one gradebook column); its cases are
otter ``test_case``s whose test function carries the ``Check`` made by ``@check``.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from autograder.checking import Check

ROOT = Path(__file__).resolve().parents[2]
# Overridable so that the engine's own tests can run it on a toy assignment (tests/fixtures/).
SUITES = Path(os.environ.get("AUTOGRADER_SUITES", ROOT / "autograder" / "suites")).resolve()
SOLUTIONS = Path(os.environ.get("AUTOGRADER_SOLUTIONS", ROOT / "solutions")).resolve()
_LOADING = threading.Lock()


@dataclass
class Case:
    question: str
    name: str
    points: float
    hidden: bool
    check: "Check"

    @property
    def key(self) -> str:
        return self.check.key


@dataclass
class Question:
    name: str
    title: str
    path: Path
    cases: list[Case]

    @property
    def points(self) -> float:
        return sum(c.points for c in self.cases)


def suite_files(assignment: str) -> list[Path]:
    return sorted((SUITES / assignment).glob("q*.py"))


def load_suite(assignment: str) -> list[Question]:
    """Every question of the assignment, in file order, with resolved points.  One thread at a time:
    two threads importing otter's test files at once can deadlock on its module locks (the grader's
    fork-server thread loads the suite while the main thread does)."""
    with _LOADING:
        return _load_suite(assignment)


def _load_suite(assignment: str) -> list[Question]:
    import_otter_test_files_only()  # otter's parser without nbconvert & co (seconds of start-up)
    from otter.test_files.exception_test import ExceptionTestFile  # otter's own parser

    questions = []
    for path in suite_files(assignment):
        test_file = ExceptionTestFile.from_file(str(path))
        cases = []
        for tc in test_file.test_cases:
            check = getattr(tc.body.test_func, "check", None)
            if check is None:
                raise ValueError(f"{path.name}: test case {tc.name!r} is not declared with @check")
            cases.append(Case(test_file.name, tc.name, float(tc.points), bool(tc.hidden), check))
        keys = [c.key for c in cases]
        if len(set(keys)) != len(keys):
            raise ValueError(f"{path.name}: two checks share a probe name")
        title = (_docstring(path) or test_file.name).strip().splitlines()[0]
        questions.append(Question(test_file.name, title, path, cases))
    if not questions:
        raise FileNotFoundError(f"no test files in {SUITES / assignment}")
    return questions


def names_used(node) -> set[str]:
    """Every name an AST node of a suite file mentions, stores included (``xs += [...]`` in a loop
    uses ``xs``): what the rewrites of a suite file (the probe-only world, the public tests) keep."""
    import ast

    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def load_file(path: Path, name: str):
    """Import one .py file as a module named ``name`` (a reference solution, a suite file)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def reference_solution(assignment: str):
    """The reference solution ``solutions/<id>.py`` as a module (for benchmarks and project tests)."""
    return load_file(SOLUTIONS / f"{assignment}.py", f"{assignment}_reference")


def _docstring(path: Path) -> str | None:
    """The file's docstring, read from its first tokens (parsing the whole file, literal case data
    included, took 80 ms per suite)."""
    import ast
    import inspect
    import tokenize

    with open(path, "rb") as f:
        for tok in tokenize.tokenize(f.readline):
            if tok.type in (tokenize.ENCODING, tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT):
                continue
            return inspect.cleandoc(ast.literal_eval(tok.string)) if tok.type == tokenize.STRING else None
    return None


def import_otter_test_files_only() -> None:
    """Make ``otter.test_files`` importable without running otter's package ``__init__``.

    Loading a suite needs only otter's test-file classes (``test_case``, ``ExceptionTestFile``,
    real otter code); otter's ``__init__`` would also import nbconvert and friends, seconds of
    start-up.  Does nothing where otter is already imported (the Gradescope plugin, ``otter run``).
    """
    import importlib.util
    import sys
    import types

    if "otter" in sys.modules:
        return
    root = Path(importlib.util.find_spec("otter").origin).parent
    package = types.ModuleType("otter")  # the package without its __init__: submodules import as usual
    package.__path__ = [str(root)]
    sys.modules["otter"] = package
    import otter.test_files  # noqa: F401  (the real module: test_case, ExceptionTestFile, GradingResults)
