"""Run the public tests on a student's file, on the student's own machine: the student kit's ``check.py``.

The kit (``make release``: ``<id>-student.zip``, which unzips into its own folder ``<id>/``) holds
``check.py``, the public tests in ``tests/``, this package, and ``autograder/checking/kit.json``: the
facts ``make release`` wrote about the assignment (its points, public and hidden; the handout's
sentence on imports; every assignment's contract names and this one's template).  ``check.py`` finds
all of them next to itself, whatever folder it is run from.

What it does with a file, in order, each problem reported in one sentence:

1. reads it as the grader does (``source.read_source``: BOM, CRLF, cp1252) and parses it: a syntax
   error is its line and message;
2. before running anything, from the syntax tree: an import of a forbidden package
   (``probing.FORBIDDEN_MODULES``, by name, installed or not) quoting the handout's rule, once; a
   file that defines another assignment's functions (the wrong kit) or none of this one's;
3. imports it (no input: ``input()`` fails at once; 30 s of CPU, as the grader allows), then runs
   every public check in this process with the same ``@check`` machinery the autograder uses, one
   line per check as it finishes (PASS/FAIL, seconds, name), a live line while one runs long (on a
   terminal an updating line after 0.3 s; otherwise a line after 1 s, then every 5 s);
4. ends with the public points, the points of the hidden tests still to be earned on Gradescope,
   and every function that is not implemented yet (a body that is still the template's, or only
   ``raise NotImplementedError``, or one that raised NotImplementedError when checked).  It says
   "Submit" only when every public check passes and nothing is unimplemented.

It needs numpy and matplotlib only (``REQUIRED``; ``check.py`` checks them with this module's
standard-library-only top before anything imports them): the test files' ``from otter.test_files
import test_case`` is served by a small stand-in (``test_case`` below) unless otter is already
loaded, and the test files are read here the way otter reads them.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import io
import json
import os
import shutil
import sys
import textwrap
import threading
import time
import traceback
import types
from dataclasses import dataclass
from pathlib import Path

REQUIRED = ("numpy", "matplotlib")  # what requirements.txt installs
KIT_FILE = Path("autograder") / "checking" / "kit.json"  # relative to the kit's folder
IMPORT_SECONDS = 30.0  # CPU seconds for importing the file (the grader's Limits.import_seconds)
PRINTED_SHOWN = 2000  # characters of what the student's code printed during one step, shown after it
WIDTH = 100  # of wrapped summary lines


class SubmissionError(Exception):
    """Importing the student's file failed (the cause says how)."""


class test_case:  # noqa: N801 -- the name the test files import
    """Stand-in for otter's ``test_case`` decorator: holds a test function and its metadata."""

    def __init__(self, name=None, points=None, hidden=False, success_message=None, failure_message=None):
        self.name, self.points, self.hidden = name, points, hidden
        self.success_message, self.failure_message = success_message, failure_message
        self.test_func = lambda **_: None

    def __call__(self, test_func):
        self.test_func = test_func
        return self


def install_test_case_shim() -> None:
    """Make ``from otter.test_files import test_case`` work without otter (a no-op if otter is loaded)."""
    if "otter.test_files" in sys.modules:
        return
    otter = sys.modules.setdefault("otter", types.ModuleType("otter"))
    test_files = types.ModuleType("otter.test_files")
    test_files.test_case = test_case
    otter.test_files = test_files
    sys.modules["otter.test_files"] = test_files


def read_test_file(path: Path) -> tuple[str, list]:
    """(question name, [(test_case, points)]) of one test file, with points resolved as otter resolves them."""
    env: dict = {"__name__": path.stem, "__file__": str(path)}
    exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), env)
    cases = [v for v in env.values() if type(v).__name__ == "test_case" and hasattr(v, "test_func")]
    name = env.get("name", path.stem)
    for i, case in enumerate(cases, 1):
        case.name = case.name or f"{name} - {i}"
    total = env.get("points")
    given = sum(c.points for c in cases if c.points is not None)
    unset = [c for c in cases if c.points is None]
    if isinstance(total, (int, float)) and unset:
        share = (total - given) / len(unset)
    else:
        share = 1 / len(unset) if unset and not given else 0.0
    points = [c.points if c.points is not None else share for c in cases]
    return name, list(zip(cases, points))


# -- the kit: what make release wrote about the assignment ----------------------------------------

@dataclass
class Kit:
    folder: Path
    assignment: str
    public_tests: list[str]  # file names in tests/
    public_points: float
    hidden_points: float
    import_rule: str  # the handout's sentence saying what may be imported, quoted
    contracts: dict[str, list[str]]  # every assignment -> the top-level names its template defines
    template: str  # this assignment's template, as students got it

    @property
    def file(self) -> str:
        return f"{self.assignment}.py"

    @property
    def tests(self) -> Path:
        return self.folder / "tests"

    @property
    def zip_name(self) -> str:
        return f"{self.assignment}-student.zip"


def load_kit(folder: Path) -> Kit:
    data = json.loads((folder / KIT_FILE).read_text(encoding="utf-8"))
    return Kit(folder=folder, assignment=data["assignment"], public_tests=list(data["public_tests"]),
               public_points=float(data["public_points"]), hidden_points=float(data["hidden_points"]),
               import_rule=data["import_rule"], contracts={k: list(v) for k, v in data["contracts"].items()},
               template=data["template"])


def kit_problem(kit: Kit) -> str | None:
    """Why the kit's own files are not the ones make release wrote (files of another kit mixed in), if so."""
    found = sorted(p.name for p in kit.tests.glob("q*.py"))
    if found == sorted(kit.public_tests):
        return None
    foreign, missing = sorted(set(found) - set(kit.public_tests)), sorted(set(kit.public_tests) - set(found))
    what = "; ".join(part for part in (f"it holds {', '.join(foreign)}, which are not {kit.assignment}'s" if foreign else "",
                                        f"{', '.join(missing)} is missing" if missing else "") if part)
    return (f"The {kit.assignment} kit's tests folder {kit.tests} is not as it was unzipped ({what}): unzip "
            f"{kit.zip_name} again into an empty folder (it makes its own folder {kit.assignment}/) and copy your "
            f"{kit.file} into it.")


# -- what the file's syntax tree says, before any of it runs --------------------------------------

def forbidden_imports(tree: ast.AST, forbidden) -> dict[str, int]:
    """Forbidden top-level package -> the first line importing it: ``import x``, ``from x import``,
    ``__import__("x")``, ``importlib.import_module("x")``, anywhere in the file."""
    found: dict[str, int] = {}

    def note(module: str, line: int) -> None:
        top = module.split(".")[0]
        if top in forbidden and (top not in found or line < found[top]):
            found[top] = line

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                note(alias.name, node.lineno)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            note(node.module, node.lineno)
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant) \
                and isinstance(node.args[0].value, str):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            if name in ("__import__", "import_module"):
                note(node.args[0].value, node.lineno)
    return found


def top_level_names(tree: ast.Module) -> tuple[set[str], bool]:
    """(names the module defines at its top level, whether it has a ``from ... import *``); definitions
    inside top-level ``if`` / ``try`` / ``with`` blocks count, imports do not."""
    names: set[str] = set()
    star = False

    def visit(body) -> None:
        nonlocal star
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                names.update(n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name))
            elif isinstance(node, ast.ImportFrom) and any(a.name == "*" for a in node.names):
                star = True
            for field in ("body", "orelse", "finalbody"):
                if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                    visit(getattr(node, field, []) or [])
            for handler in getattr(node, "handlers", []) or []:
                visit(handler.body)

    visit(tree.body)
    return names, star


def _distinctive(contracts: dict[str, list[str]]) -> dict[str, set[str]]:
    """Each assignment's names that no other assignment's template defines (``sin`` is in two)."""
    out = {}
    for a, names in contracts.items():
        others = set().union(*(set(n) for b, n in contracts.items() if b != a))
        out[a] = set(names) - others or set(names)
    return out


def wrong_file(kit: Kit, names: set[str], star: bool, shown: str) -> str | None:
    """One sentence if the file is another assignment's (or no assignment's), else None."""
    if star:  # names it imports with * are unknown here: let the checks speak
        return None
    distinctive = _distinctive(kit.contracts)
    if names & distinctive.get(kit.assignment, set()):
        return None
    others = {a: names & d for a, d in distinctive.items() if a != kit.assignment and names & d}
    if others:
        best = max(sorted(others), key=lambda a: len(others[a]) / len(distinctive[a]))
        listed = ", ".join(sorted(others[best])[:4]) + (", ..." if len(others[best]) > 4 else "")
        return (f"This kit checks {kit.file}; your file {shown} defines the functions of {best} ({listed}): "
                f"check it with the {best} kit's own check.py (cd into its folder {best}/ and run python check.py), "
                f"or give this one your {kit.file}.")
    if not names & set(kit.contracts.get(kit.assignment, [])):
        wanted = kit.contracts.get(kit.assignment, [])
        listed = ", ".join(wanted[:5]) + (", ..." if len(wanted) > 5 else "")
        return (f"Your file {shown} defines none of the names {kit.file} must define ({listed}): give check.py the "
                f"file you are writing for {kit.assignment}, which starts as this kit's {kit.file}.")
    return None


def functions(tree: ast.Module) -> dict[str, ast.FunctionDef]:
    """Qualified name -> definition, for the top-level functions and the methods of top-level classes."""
    out: dict[str, ast.FunctionDef] = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            out[node.name] = node
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    out[f"{node.name}.{item.name}"] = item
    return out


def _body(fn: ast.FunctionDef) -> list[ast.stmt]:
    body = fn.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
            and isinstance(body[0].value.value, str):
        body = body[1:]
    return body


def _raises_not_implemented(stmt: ast.stmt) -> bool:
    if not isinstance(stmt, ast.Raise) or stmt.exc is None:
        return False
    exc = stmt.exc.func if isinstance(stmt.exc, ast.Call) else stmt.exc
    return isinstance(exc, ast.Name) and exc.id in ("NotImplementedError", "NotImplemented")


def is_stub(fn: ast.FunctionDef, template_fn: ast.FunctionDef | None) -> bool:
    """The body is still the template's (compared as syntax trees, docstrings aside), or does nothing
    but ``raise NotImplementedError`` / ``pass`` / ``...``."""
    body = _body(fn)
    if not body:
        return True
    if template_fn is not None and [ast.dump(s) for s in body] == [ast.dump(s) for s in _body(template_fn)]:
        return True
    if len(body) == 1 and _raises_not_implemented(body[0]):
        return True
    return all(isinstance(s, ast.Pass) or (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant)
                                           and s.value.value is Ellipsis) for s in body)


def unimplemented(tree: ast.Module, template: ast.Module) -> list[str]:
    """The template's functions and methods (qualified names) that the file defines with a stub body."""
    theirs, stubs = functions(tree), functions(template)
    return [name for name, fn in stubs.items() if name in theirs and is_stub(theirs[name], fn)]


def not_implemented_when_checked(results) -> set[str]:
    """Names of the functions that raised NotImplementedError in these probe results (encoded)."""
    from autograder.checking.plain import BadData, Raised, decode

    names: set[str] = set()
    entries = list(results) if isinstance(results, list) else []
    for entry in entries:
        runs = entry.get("measured") if isinstance(entry, dict) and "measured" in entry else None
        for data in ([r.get("result") for r in runs if isinstance(r, dict)] if isinstance(runs, list) else [entry]):
            try:
                got = decode(data)
            except (BadData, Exception):
                continue
            if isinstance(got, Raised) and got.is_a(NotImplementedError):
                names.add(got.where.rsplit(" in ", 1)[-1] if got.where else "")
    return names


def qualify(names: set[str], template: ast.Module) -> set[str]:
    """Bare function names from tracebacks (``__mul__``) as the template qualifies them (``Dual.__mul__``)."""
    by_bare: dict[str, list[str]] = {}
    for qualified in functions(template):
        by_bare.setdefault(qualified.rsplit(".", 1)[-1], []).append(qualified)
    out = set()
    for name in names:
        if not name:
            continue
        candidates = by_bare.get(name, [])
        out.add(candidates[0] if len(candidates) == 1 else name)
    return out


# -- live output ----------------------------------------------------------------------------------

class Live:
    """While one step runs: after ``first`` seconds, a line saying what runs and for how long.  On a
    terminal one line rewritten in place every ``every`` seconds and erased when the step ends;
    elsewhere (a pipe, a log, an editor's console) a new line every ``every`` seconds."""

    def __init__(self, stream, tty: bool | None = None, first: float | None = None, every: float | None = None,
                 clock=time.monotonic):
        self.stream = stream
        self.tty = _isatty(stream) if tty is None else tty
        self.first = first if first is not None else (0.3 if self.tty else 1.0)
        self.every = every if every is not None else (0.2 if self.tty else 5.0)
        self.clock = clock
        self.width = max(40, shutil.get_terminal_size((WIDTH, 24)).columns - 1)

    def _write(self, text: str) -> None:
        with contextlib.suppress(Exception):  # a closed pipe must not stop the checks
            self.stream.write(text)
            self.stream.flush()

    @contextlib.contextmanager
    def running(self, label: str, cpu_limit: float | None = None):
        """Run the block; past ``first`` seconds, say that ``label`` still runs: for how long, and how
        much of its CPU-time limit (what the limit counts: a busy machine stretches the wall clock)."""
        stop = threading.Event()
        start, cpu_start = self.clock(), time.process_time()
        shown = []
        short = label if len(label) <= 70 else label[:67] + "..."

        def tick() -> None:
            wait = self.first
            while not stop.wait(wait):
                elapsed, cpu = self.clock() - start, time.process_time() - cpu_start
                used = f"CPU {cpu:.1f} of {cpu_limit:g} s" if cpu_limit else f"CPU {cpu:.1f} s"
                if self.tty:
                    line = f"  ... {elapsed:5.1f} s ({used})  {short}"
                    self._write("\r" + line[: self.width].ljust(self.width))
                else:
                    self._write(f"      ... still running after {elapsed:.0f} s ({used}): {short}\n")
                shown.append(elapsed)
                wait = self.every

        thread = threading.Thread(target=tick, name="check.py live line", daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join()
            if self.tty and shown:
                self._write("\r" + " " * self.width + "\r")


def _isatty(stream) -> bool:
    try:
        return bool(stream.isatty())
    except Exception:
        return False


class Captured(io.TextIOBase):
    """What the student's code prints during one step, kept up to ``limit`` characters."""

    def __init__(self, limit: int = PRINTED_SHOWN):
        super().__init__()
        self.limit, self.parts, self.size, self.dropped = limit, [], 0, 0

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return False

    def write(self, text) -> int:
        text = str(text)
        room = max(0, self.limit - self.size)
        self.parts.append(text[:room])
        self.size += min(room, len(text))
        self.dropped += max(0, len(text) - room)
        return len(text)

    def text(self) -> str:
        return "".join(self.parts)


@contextlib.contextmanager
def student_io(captured: Captured):
    """The student's code runs with no input (``input()`` raises EOFError at once) and its output kept."""
    saved = sys.stdin, sys.stdout, sys.stderr
    sys.stdin, sys.stdout, sys.stderr = io.StringIO(""), captured, captured
    try:
        yield
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved


def show_printed(out, captured: Captured, when: str) -> None:
    text = captured.text().rstrip("\n")
    if not text and not captured.dropped:
        return
    lines = text.splitlines()
    out.write(f"      your code printed {when} (the handout asks that nothing be printed):\n")
    for line in lines[:20]:
        out.write(f"      | {line}\n")
    hidden = max(0, len(lines) - 20)
    if hidden or captured.dropped:
        out.write(f"      | ... ({hidden} more lines, {captured.dropped} more characters)\n")


# -- messages -------------------------------------------------------------------------------------

def install_command(requirements: Path | None = None) -> str:
    """The exact command that installs the requirements for the Python running this script."""
    which = shutil.which("python")
    python = "python" if which and Path(which).resolve() == Path(sys.executable).resolve() else sys.executable
    target = "requirements.txt"
    if requirements is not None:
        try:
            target = os.path.relpath(requirements, Path.cwd())
        except ValueError:  # another drive (Windows)
            target = str(requirements)
        if " " in target:
            target = f'"{target}"'
    return f"{python} -m pip install -r {target}"


def missing_package_message(name: str, requirements: Path | None = None) -> str:
    return (f"check.py needs the package {name!r}, which is not installed for this Python ({sys.executable}).\n"
            f"Install what the assignment needs (once):\n\n    {install_command(requirements)}\n\n"
            "then run check.py again.")


def line_in(exc: BaseException, submission: Path) -> int | None:
    """The line of the student's file where ``exc`` was raised (the innermost frame in that file)."""
    if isinstance(exc, SyntaxError):
        return exc.lineno
    target = str(submission.resolve())
    lines = [f.lineno for f in traceback.extract_tb(exc.__traceback__) if _same_file(f.filename, target)]
    return lines[-1] if lines else None


def _same_file(filename: str, target: str) -> bool:
    try:
        return str(Path(filename).resolve()) == target
    except (OSError, ValueError):
        return False


def _pts(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def _wrapped(text: str, indent: str = "") -> str:
    """``text`` wrapped at WIDTH columns, each of its own lines on its own."""
    return "\n".join(textwrap.fill(line, WIDTH, initial_indent=indent, subsequent_indent=indent + "  ",
                                    break_long_words=False, break_on_hyphens=False) or indent.rstrip()
                      for line in str(text).splitlines() or [""])


# -- running ----------------------------------------------------------------------------------------

@dataclass
class Row:
    name: str
    ok: bool
    message: str
    seconds: float
    points: float


def load_submission(submission: Path, text: str, live: Live, out):
    """Import the student's file as a module (registered in sys.modules, as the grader does)."""
    from autograder.checking.probing import CheckTimedOut, deadline

    name = submission.stem if submission.stem.isidentifier() and submission.stem not in sys.modules \
        else "student_submission"
    module = types.ModuleType(name)
    module.__file__ = str(submission.resolve())
    code = compile(text, module.__file__, "exec")
    folder = str(submission.resolve().parent)
    if folder not in sys.path:
        sys.path.append(folder)  # the kit's own autograder package stays first
    captured = Captured()
    sys.modules[name] = module
    asked_input = False
    try:
        with live.running(f"importing {submission.name} (its top-level code runs)", IMPORT_SECONDS), \
                student_io(captured), deadline(IMPORT_SECONDS):
            exec(code, module.__dict__)
    except CheckTimedOut as exc:
        timeout = TimeoutError(f"its top-level code did not finish within {IMPORT_SECONDS:g} s of CPU time "
                               "(an infinite loop, or a long computation at the top of the file)")
        raise SubmissionError(timeout) from timeout.with_traceback(exc.__traceback__)
    except (Exception, SystemExit) as exc:
        asked_input = isinstance(exc, EOFError)
        raise SubmissionError(exc) from exc
    finally:
        if not asked_input:  # input()'s prompt is no news
            show_printed(out, captured, f"while {submission.name} was imported")
    return module


def run_case(tc, module) -> tuple[str | None, set[str]]:
    """(failure message or None, names that raised NotImplementedError) of one public test case."""
    from autograder.checking.checks import Mismatch, forbidden_modules_loaded, load_bundled_reference
    from autograder.checking.probing import CheckTimedOut

    c = getattr(tc.test_func, "check", None)
    if c is None:  # a plain otter test function
        try:
            tc.test_func(env=module.__dict__)
        except AssertionError as exc:
            return str(exc), set()
        return None, set()
    reference = load_bundled_reference().get(c.key) if c.needs_reference else None
    try:
        results = c.run_probes(module)
    except CheckTimedOut as exc:
        return str(exc), set()
    try:
        return c.verdict(results, reference, forbidden_modules_loaded()), not_implemented_when_checked(results)
    except Mismatch as exc:
        return str(exc), set()


def forbidden_message(found: dict[str, int], shown: str, rule: str) -> str:
    names = sorted(found, key=found.get)
    where = ", ".join(f"{n} (line {found[n]})" for n in names)
    return (f"Your file {shown} imports {where}, which this assignment does not allow: the handout says \"{rule}\" "
            f"Remove {'that import' if len(names) == 1 else 'those imports'} (installing the package does not help: "
            "the grader does not allow it, and a file that imports it earns no points), then run check.py again.")


def main(argv: list[str] | None = None, kit_folder: Path | None = None) -> int:
    out = sys.stdout
    with contextlib.suppress(Exception):
        out.reconfigure(errors="replace", line_buffering=True)  # a console that cannot show a character
    parser = argparse.ArgumentParser(
        prog="python check.py",
        description="Run the public tests of this assignment on your file. The hidden tests on "
                    "Gradescope check much more: passing these is necessary, not sufficient.",
    )
    parser.add_argument("submission", type=Path, nargs="?",
                        help="your file (default: the assignment's file in this kit's folder)")
    parser.add_argument("--kit", type=Path, default=kit_folder or Path(__file__).resolve().parents[2],
                        help="the kit's folder (default: the folder check.py is in)")
    args = parser.parse_args(argv)
    kit = load_kit(args.kit)
    submission = args.submission or kit.folder / kit.file
    if submission.suffix.lower() != ".py":
        out.write(f"check.py checks a Python file; {submission.name} is not one (give it {kit.file}).\n")
        return 2
    if not submission.is_file():
        in_kit = kit.folder / submission.name
        hint = (f", or run python check.py with no file name to check {in_kit}" if args.submission and in_kit.is_file()
                else "")
        out.write(f"{submission} not found: run this from the folder that holds your file{hint}.\n")
        return 2
    problem = kit_problem(kit)
    if problem:
        out.write(_wrapped(problem) + "\n")
        return 2
    shown = submission.name

    # 1. the file's text and syntax, as the grader reads it
    from autograder.checking.source import SourceError, read_source

    try:
        text = read_source(submission)
        tree = ast.parse(text, str(submission))
    except SourceError as exc:
        out.write(f"Your file {shown} cannot be read: {exc}.\n")
        return 1
    except SyntaxError as exc:
        out.write(f"Your file does not parse: line {exc.lineno} of {shown}: {exc.msg}\n"
                  "Fix that line, then run check.py again.\n")
        return 1
    except (ValueError, RecursionError, MemoryError) as exc:  # NUL bytes, absurd nesting
        out.write(f"Your file {shown} cannot be parsed ({type(exc).__name__}: {str(exc)[:200]}).\n")
        return 1

    # 2. before anything runs: forbidden imports, the wrong kit
    from autograder.checking.probing import FORBIDDEN_MODULES

    found = forbidden_imports(tree, FORBIDDEN_MODULES)
    if found:
        out.write(_wrapped(forbidden_message(found, shown, kit.import_rule)) + "\n")
        return 1
    names, star = top_level_names(tree)
    wrong = wrong_file(kit, names, star, shown)
    if wrong:
        out.write(_wrapped(wrong) + "\n")
        return 2

    # 3. the public tests, one line per check as it finishes
    try:
        install_test_case_shim()
        test_files = [read_test_file(kit.tests / name) for name in kit.public_tests]
    except ModuleNotFoundError as exc:
        out.write(missing_package_message(exc.name or str(exc), kit.folder / "requirements.txt") + "\n")
        return 2
    except Exception as exc:  # the tests themselves: not the student's fault
        out.write(f"The public tests could not be loaded ({type(exc).__name__}: {exc}).\n"
                  "This is a problem with the assignment files, not with your work: tell the course staff.\n")
        return 2
    count = sum(len(cases) for _, cases in test_files)
    total = kit.public_points + kit.hidden_points
    out.write(f"{kit.assignment}: {count} public checks on {shown} ({_pts(kit.public_points)} of the {_pts(total)} "
              f"points; hidden tests worth the other {_pts(kit.hidden_points)} run on Gradescope only)\n")
    live = Live(out)
    stop = Stop()
    from autograder.checking.probing import CheckTimedOut

    try:
        with ctrl_c_stops(stop):
            code = run_checks(submission, text, kit, test_files, tree, live, out, stop)
    except KeyboardInterrupt:  # no handler installed (not the main thread)
        stop.requested = True
    except CheckTimedOut:  # Ctrl-C outside a probe
        if not stop.requested:
            raise
    if stop.requested:
        out.write(f"\nStopped (Ctrl-C) during {stop.during}.\n")
        return 130
    return code


class Stop:
    """Ctrl-C was pressed (``requested``) during what (``during``)."""

    def __init__(self):
        self.requested, self.during = False, "check.py"


@contextlib.contextmanager
def ctrl_c_stops(stop: Stop):
    """Ctrl-C stops check.py.  The probes catch every exception the student's code raises as one of
    its results (KeyboardInterrupt included), all but ``CheckTimedOut``: Ctrl-C raises that, and
    marks ``stop`` so that nothing takes it for a timeout."""
    import signal

    from autograder.checking.probing import CheckTimedOut

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum, frame):
        stop.requested = True
        raise CheckTimedOut("stopped with Ctrl-C")

    previous = signal.signal(signal.SIGINT, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def run_checks(submission: Path, text: str, kit: Kit, test_files, tree: ast.Module, live: Live, out,
               stop: Stop) -> int:
    """Import the file, run every public check (one line each as it finishes), then the summary."""
    from autograder.checking.checks import forbidden_modules_loaded

    shown = submission.name
    stop.during = f"the import of {shown}"
    try:
        module = load_submission(submission, text, live, out)
    except SubmissionError as err:
        return 130 if stop.requested else import_failed(err.__cause__, submission, kit, out)

    template = ast.parse(kit.template)
    names, star = top_level_names(tree)
    stubs = unimplemented(tree, template)
    missing = [n for n in kit.contracts.get(kit.assignment, []) if n not in names] if not star else []
    rows: list[Row] = []
    raised: set[str] = set()
    for file_name, cases in test_files:
        for tc, points in cases:
            label = stop.during = f"{file_name}: {tc.name}"
            check_ = getattr(tc.test_func, "check", None)
            limit = check_.timeout if check_ is not None else None
            captured = Captured()
            started = time.monotonic()
            try:
                with live.running(label, limit), student_io(captured):
                    message, names_raised = run_case(tc, module)
            except Exception as exc:  # a bug in the student's file that escaped the probe
                message, names_raised = f"{type(exc).__name__}: {exc}", set()
            if stop.requested:
                return 130
            seconds = time.monotonic() - started
            raised |= names_raised
            row = Row(label, message is None, message or "", seconds, points)
            rows.append(row)
            out.write(f"{'PASS' if row.ok else 'FAIL'} {seconds:5.1f} s  {label}\n")
            if row.message:
                out.write(_wrapped(row.message, "      ") + "\n")
            show_printed(out, captured, "during this check")
            loaded = forbidden_modules_loaded()
            if loaded:  # imported at run time under a computed name: the static scan could not see it
                out.write(_wrapped(forbidden_message({n: 0 for n in loaded}, shown, kit.import_rule)
                                   .replace(" (line 0)", "")) + "\n")
                return 1

    # the summary
    order = {name: i for i, name in enumerate(functions(template))}
    todo = sorted(set(stubs) | qualify(raised, template), key=lambda n: (order.get(n, len(order)), n))
    return summary(rows, kit, shown, todo, missing, out)


def import_failed(exc: BaseException, submission: Path, kit: Kit, out) -> int:
    shown = submission.name
    if isinstance(exc, ModuleNotFoundError) and exc.name in REQUIRED:
        out.write(missing_package_message(exc.name, kit.folder / "requirements.txt") + "\n")
        return 2
    line = line_in(exc, submission)
    where = f"line {line} of {shown}" if line else shown
    if isinstance(exc, ModuleNotFoundError) and exc.name:
        out.write(_wrapped(f"Your file imports {exc.name.split('.')[0]} ({where}), which is not installed here, and "
                           f"the handout says \"{kit.import_rule}\" Remove that import, then run check.py again.")
                  + "\n")
        return 1
    if isinstance(exc, TimeoutError):
        out.write(f"Importing your file stopped: {exc}{f' (at {where})' if line else ''}.\n"
                  "Move that computation into a function (or remove it), then run check.py again.\n")
        return 1
    if isinstance(exc, EOFError):
        out.write(_wrapped(f"Importing your file raised EOFError at {where}: it asks for input() when it is imported, "
                           "and the checks (like the grader) give it none. Remove that line, then run check.py again.")
                  + "\n")
        return 1
    if isinstance(exc, SystemExit):
        out.write(f"Importing your file called exit() or sys.exit() at {where}: remove that line, then run check.py "
                  "again.\n")
        return 1
    try:
        message = str(exc)[:300]
    except Exception:
        message = "<unprintable message>"
    out.write(f"Importing your file raised {type(exc).__name__} at {where}: {message}\n"
              "Fix that line, then run check.py again.\n")
    return 1


def summary(rows: list[Row], kit: Kit, shown: str, todo: list[str], missing: list[str], out) -> int:
    passed = sum(r.ok for r in rows)
    earned = sum(r.points for r in rows if r.ok)
    possible = sum(r.points for r in rows)
    total = kit.public_points + kit.hidden_points
    out.write(f"\n{passed} passed, {len(rows) - passed} failed: {_pts(earned)} / {_pts(possible)} public points.\n")
    out.write(_wrapped(f"Hidden tests worth {_pts(kit.hidden_points)} more points (of {_pts(total)} in all) run "
                       "on Gradescope only: they check much more than these.") + "\n")
    unfinished = []
    if todo:
        unfinished.append(f"{len(todo)} {'function raises' if len(todo) == 1 else 'functions raise'} "
                          f"NotImplementedError (not implemented yet): {', '.join(todo)}")
    if missing:
        unfinished.append(f"your file does not define {', '.join(missing)}")
    if unfinished:
        out.write(_wrapped("Not finished: " + "; ".join(unfinished) + ".") + "\n")
    if passed < len(rows):
        out.write("Fix the first failure above, then run check.py again.\n")
    elif unfinished:
        out.write(_wrapped(f"The public tests pass, but the hidden tests ({_pts(kit.hidden_points)} points) call "
                           "every function: implement the ones above, then run check.py again.") + "\n")
    else:
        upload = kit.file if shown == kit.file else f"your file, named {kit.file},"
        out.write(_wrapped(f"All public tests pass and every function is implemented. Submit {upload} on Gradescope, "
                           f"where the hidden tests decide the other {_pts(kit.hidden_points)} points.") + "\n")
        return 0
    return 1


if __name__ == "__main__":
    sys.exit(main())
