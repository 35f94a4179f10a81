"""Run the public tests on a student's file, on the student's own machine.

student.zip ships this as ``check.py``:  ``python check.py forward_mode.py``.  It is the same
``@check`` machinery the autograder uses, run in-process (the student is only checking their own work).
"""

from __future__ import annotations

import argparse
import runpy
import sys
from pathlib import Path


class SubmissionError(Exception):
    """Importing the student's file failed (the cause says how)."""


def run_public_tests(submission: Path, tests_dir: Path) -> tuple[float, float, list[tuple[str, bool, str]]]:
    from otter.test_files.exception_test import ExceptionTestFile

    test_files = [ExceptionTestFile.from_file(str(p)) for p in sorted(tests_dir.glob("q*.py"))]
    if not test_files:
        raise FileNotFoundError(f"no public tests in {tests_dir}")
    sys.path.insert(0, str(submission.parent.resolve()))
    try:
        namespace = runpy.run_path(str(submission), run_name=submission.stem)
    except Exception as exc:
        raise SubmissionError(exc) from exc
    rows, earned, possible = [], 0.0, 0.0
    for test_file in test_files:
        for tc in test_file.test_cases:
            try:
                tc.body.test_func(env=namespace)
                ok, message = True, ""
            except AssertionError as exc:
                ok, message = False, str(exc)
            except Exception as exc:  # a bug in the student's file that escaped the probe
                ok, message = False, f"{type(exc).__name__}: {exc}"
            possible += tc.points
            earned += tc.points if ok else 0.0
            rows.append((f"{test_file.name}: {tc.name}", ok, message))
    return earned, possible, rows


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
        if isinstance(exc, SyntaxError):
            print(f"Your file does not parse: line {exc.lineno}: {exc.msg}")
        else:
            print(f"Importing your file raised {type(exc).__name__}: {exc}")
        return 1
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
