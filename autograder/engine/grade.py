"""``make grade``: grade a folder of submissions into a gradebook and per-student feedback.

    python -m autograder.engine.grade [--submissions DIR] [--out DIR] [--jobs N] [--force] ID...

``DIR`` holds one entry per student: ``<student>.py`` or a folder ``<student>/<id>.py``.  With
several assignments (or when ``DIR/<id>/`` is a folder of submissions), each assignment's
submissions are read from ``DIR/<id>/`` -- the layout of the bundled example class in ``examples/``.

Each submission runs in its own sandboxed child (``sandbox``); verdicts are decided here, in the
parent, against the reference solution's results from a separate run of the same sandbox.  A student
whose ``results.json`` already matches the submission and the suite (same fingerprint) is not graded
again, so a rerun after an interrupt only finishes the job.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from . import report
from .sandbox import Limits, kill_all, run_submission
from .score import Graded, missing, score_run
from .suite import ASSIGNMENT_IDS, ROOT, SOLUTIONS, SUITES, config, load_suite

CHECK_COMMAND = "python check.py {id}.py"


def find_submissions(folder: Path, assignment: str) -> dict[str, Path | None]:
    """student -> their ``<id>.py`` (None when a student folder has no such file)."""
    found: dict[str, Path | None] = {}
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith((".", "_")):
            continue
        if entry.is_file() and entry.suffix == ".py":
            found[entry.stem] = entry
        elif entry.is_dir():
            target = entry / f"{assignment}.py"
            found[entry.name] = target if target.is_file() else None
    return found


def submissions_folder(root: Path, assignment: str, several: bool) -> Path:
    nested = root / assignment
    if several or (nested.is_dir() and not (nested / f"{assignment}.py").exists()):
        return nested
    return root


def fingerprint(submission: Path | None, assignment: str) -> str:
    """Changes when the submission, the suite, the reference solution or the engine changes."""
    h = hashlib.sha256()
    parts = [submission] if submission else []
    parts += sorted((SUITES / assignment).glob("*.py")) + [SOLUTIONS / f"{assignment}.py"]
    parts += sorted((ROOT / "autograder" / "checking").glob("*.py")) + sorted((ROOT / "autograder" / "engine").glob("*.py"))
    for p in parts:
        h.update(p.name.encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()[:16]


def reference_results(assignment: str, questions, limits: Limits = Limits()) -> dict[str, list]:
    """The reference solution's probe results for the checks judged against them (``expect=REFERENCE``);
    trusted code, but still run in a child of its own."""
    checks = [(c.key, c.check.timeout) for q in questions for c in q.cases if c.check.needs_reference]
    with tempfile.TemporaryDirectory(prefix="reference-") as scratch:
        run = run_submission(SOLUTIONS / f"{assignment}.py", assignment, checks, Path(scratch), limits)
    problems = []
    if run.load_error:
        problems.append(run.load_error["message"])
    problems += [f"{k}: {v.message}" for k, v in run.results.items() if not isinstance(v, list)]
    if problems:
        raise SystemExit(f"error: the reference solution {SOLUTIONS / assignment}.py fails to run: "
                         f"{'; '.join(problems)}\nFix the solution or the suite before grading.")
    return run.results


def grade_assignment(assignment: str, folder: Path, out: Path, jobs: int, force: bool,
                     only: list[str] | None = None) -> list[Graded]:
    questions = load_suite(assignment)
    cfg = config(assignment)
    limits = Limits(memory_mb=cfg.get("memory_mb", Limits.memory_mb))
    out_dir = out / assignment
    students = find_submissions(folder, assignment)
    if only:
        students = {s: p for s, p in students.items() if s in only}
    print(f"== {assignment}: {len(students)} submission{'' if len(students) == 1 else 's'} in {folder} -> {out_dir}", flush=True)
    skipped = sorted(p.name for p in folder.iterdir() if p.is_file() and p.suffix != ".py"
                     and not p.name.startswith((".", "_")))
    if skipped:
        print(f"   not submissions (neither <student>.py nor <student>/): {', '.join(skipped)}", flush=True)

    todo, graded = {}, []
    for student, path in students.items():
        previous = report.read_student(out_dir / student)
        if not force and previous and previous.fingerprint == fingerprint(path, assignment):
            graded.append(previous)
        else:
            todo[student] = path
    if graded:
        print(f"   {len(graded)} already graded (unchanged since); grading the other {len(todo)}", flush=True)

    reference = reference_results(assignment, questions, limits) if todo else {}
    checks = [(c.key, c.check.timeout) for q in questions for c in q.cases]
    check_command = CHECK_COMMAND.format(id=assignment)
    lock, done = threading.Lock(), [len(graded)]

    def one(student: str, path: Path | None) -> Graded:
        if path is None:
            g = missing(student, assignment, questions, f"the folder {student}/ has no {assignment}.py")
        else:
            run = run_submission(path, assignment, checks, out_dir / student, limits)
            g = score_run(student, assignment, questions, run, reference)
        g.fingerprint = fingerprint(path, assignment)
        report.write_student(out_dir / student, g, check_command)
        with lock:
            done[0] += 1
            print(f"   [{done[0]:>3}/{len(students)}] {student:<28} {report._num(g.total):>5} / "
                  f"{report._num(g.max_total):<4} {g.status:<9} ({g.seconds:.1f} s)", flush=True)
        return g

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = [pool.submit(one, s, p) for s, p in todo.items()]
        try:
            for f in as_completed(futures):
                graded.append(f.result())
        except KeyboardInterrupt:
            for f in futures:
                f.cancel()
            kill_all()
            raise
    summary = report.write_gradebook(out_dir, graded)
    print(summary)
    return graded


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m autograder.engine.grade",
        description="Grade a folder of submissions: writes OUT/<id>/grades.csv, summary.md, histogram.png "
                    "and OUT/<id>/<student>/{results.json,feedback.md}.",
        epilog="Example: make grade ASSIGNMENT=forward_mode SUBMISSIONS=~/hw1 OUT=grades",
    )
    parser.add_argument("assignments", nargs="*", default=list(ASSIGNMENT_IDS), metavar="ID",
                        help=f"assignment ids (default: all of {', '.join(ASSIGNMENT_IDS)})")
    parser.add_argument("--submissions", default=str(ROOT / "examples"), type=Path,
                        help="folder of <student>.py files or <student>/<id>.py folders "
                             "(with several ids: one such folder per id); default: the example class")
    parser.add_argument("--out", default=Path("grades"), type=Path, help="output folder (default: grades)")
    parser.add_argument("--jobs", default=os.cpu_count() or 1, type=int,
                        help="submissions graded in parallel (default: the number of cores)")
    parser.add_argument("--force", action="store_true", help="regrade even unchanged submissions")
    parser.add_argument("--student", action="append", help="grade only this student (repeatable)")
    args = parser.parse_args(argv)

    unknown = [a for a in args.assignments if not (SUITES / a).is_dir()]
    if unknown:
        parser.error(f"unknown assignment {', '.join(unknown)}; choose from {', '.join(ASSIGNMENT_IDS)}")
    several = len(args.assignments) > 1
    started = time.monotonic()
    for assignment in args.assignments:
        folder = submissions_folder(args.submissions, assignment, several)
        if not folder.is_dir():
            print(f"error: no folder {folder} with submissions for {assignment}", file=sys.stderr)
            return 2
        grade_assignment(assignment, folder, args.out, args.jobs, args.force, args.student)
    print(f"done in {time.monotonic() - started:.0f} s; gradebooks: "
          + ", ".join(str(args.out / a / "grades.csv") for a in args.assignments))
    return 0


if __name__ == "__main__":
    sys.exit(main())
