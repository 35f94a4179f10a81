"""Run the public tests on a student's file, on the student's own machine.

student.zip ships this as ``check.py``:  ``python check.py forward_mode.py``.  It is the same
``@check`` machinery the autograder uses, run in-process (the student is only checking their own
work).  It needs numpy and matplotlib only: the test files' ``from otter.test_files import
test_case`` is served by a small stand-in (``test_case`` below) unless otter is already loaded, and
the test files are read here, the way otter reads them (every ``test_case`` a file defines, points
resolved as otter does).
"""

from __future__ import annotations

import argparse
import runpy
import shutil
import sys
import traceback
import types
from pathlib import Path

REQUIRED = ("numpy", "matplotlib")  # what requirements.txt installs


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
    """(question name, [test_case]) of one test file, with points resolved as otter resolves them."""
    env: dict = {"__name__": path.stem, "__file__": str(path)}
    exec(compile(path.read_text(), str(path), "exec"), env)
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


def run_public_tests(submission: Path, tests_dir: Path) -> tuple[float, float, list[tuple[str, bool, str]]]:
    install_test_case_shim()
    test_files = [read_test_file(p) for p in sorted(tests_dir.glob("q*.py"))]
    if not test_files:
        raise FileNotFoundError(f"no public tests in {tests_dir}")
    sys.path.insert(0, str(submission.parent.resolve()))
    try:
        namespace = runpy.run_path(str(submission), run_name=submission.stem)
    except Exception as exc:
        raise SubmissionError(exc) from exc
    rows, earned, possible = [], 0.0, 0.0
    for file_name, cases in test_files:
        for tc, points in cases:
            try:
                tc.test_func(env=namespace)
                ok, message = True, ""
            except AssertionError as exc:
                ok, message = False, str(exc)
            except Exception as exc:  # a bug in the student's file that escaped the probe
                ok, message = False, f"{type(exc).__name__}: {exc}"
            possible += points
            earned += points if ok else 0.0
            rows.append((f"{file_name}: {tc.name}", ok, message))
    return earned, possible, rows


def install_command() -> str:
    """The exact command that installs the requirements for the Python running this script."""
    python = "python" if shutil.which("python") and Path(shutil.which("python")).resolve() == Path(sys.executable).resolve() \
        else sys.executable
    return f"{python} -m pip install -r requirements.txt"


def missing_package_message(name: str) -> str:
    return (f"check.py needs the package {name!r}, which is not installed for this Python ({sys.executable}).\n"
            f"Install what the assignment needs (once), from this folder:\n\n    {install_command()}\n\n"
            "then run check.py again.")


def line_in(exc: BaseException, submission: Path) -> int | None:
    """The line of the student's file where ``exc`` was raised (the innermost frame in that file)."""
    if isinstance(exc, SyntaxError):
        return exc.lineno
    target = str(submission.resolve())
    lines = [f.lineno for f in traceback.extract_tb(exc.__traceback__) if str(Path(f.filename).resolve()) == target]
    return lines[-1] if lines else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python check.py",
        description="Run the public tests of this assignment on your file. The hidden tests on "
                    "Gradescope check much more: passing these is necessary, not sufficient.",
    )
    parser.add_argument("submission", type=Path, help="your file, e.g. forward_mode.py")
    parser.add_argument("--tests", type=Path, default=Path(sys.argv[0]).resolve().parent / "tests",
                        help="folder of public tests (default: tests/ next to check.py)")
    args = parser.parse_args(argv)
    if not args.submission.is_file():
        parser.error(f"{args.submission} not found: run this from the folder that holds your file")
    try:
        earned, possible, rows = run_public_tests(args.submission, args.tests)
    except SubmissionError as err:
        exc = err.__cause__
        if isinstance(exc, ModuleNotFoundError) and exc.name in REQUIRED:
            print(missing_package_message(exc.name))
            return 2
        line = line_in(exc, args.submission)
        where = f"line {line} of {args.submission.name}" if line else args.submission.name
        if isinstance(exc, SyntaxError):
            print(f"Your file does not parse: {where}: {exc.msg}")
        else:
            print(f"Importing your file raised {type(exc).__name__} at {where}: {exc}")
        print("Fix that line, then run check.py again.")
        return 1
    except ModuleNotFoundError as exc:
        print(missing_package_message(exc.name or str(exc)))
        return 2
    except Exception as exc:  # the tests themselves: not the student's fault
        print(f"The public tests could not be loaded ({type(exc).__name__}: {exc}).\n"
              "This is a problem with the assignment files, not with your work: tell the course staff.")
        return 2
    for name, ok, message in rows:
        print(f"{'PASS' if ok else 'FAIL'}  {name}")
        if message:
            print(f"      {message}")
    passed = sum(ok for _, ok, _ in rows)
    print(f"\n{passed} passed, {len(rows) - passed} failed  ({earned:g} / {possible:g} public points)")
    if passed < len(rows):
        print("Fix the first failure above, then run this again.")
    else:
        print("All public tests pass. Submit your file on Gradescope; the hidden tests decide most of the grade.")
    return 0 if passed == len(rows) else 1


if __name__ == "__main__":
    sys.exit(main())
