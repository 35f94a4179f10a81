"""``make grade``: grade a folder of submissions into a gradebook and per-student feedback.

    python -m autograder.engine.grade [--submissions DIR] [--out DIR] [--jobs N] [--force]
                                      [--student NAME]... ID...

``DIR`` holds one entry per student (``discover``: ``<student>.py``, ``.ipynb``, ``.zip`` or a folder
``<student>/``).  With several assignments (or when ``DIR/<id>/`` is a folder of submissions), each
assignment's submissions are read from ``DIR/<id>/`` -- the layout of the bundled example class.

Each submission runs in its own sandboxed child (``sandbox``); verdicts are decided here, in the
parent, against the reference solution's results from a separate run of the same sandbox.  A student
whose stored grading (``report.GRADED_FILE``) matches the submission and the suite (same fingerprint) is not graded
again, so a rerun after an interrupt only finishes the job.  An interrupted student is never
recorded: their child is killed and nothing is written for them.  The gradebook is always rebuilt
from every student's stored result, so ``--student`` regrades a few and keeps the whole class.
"""

from __future__ import annotations

import signal
import sys

if __name__ == "__main__":  # before the slow imports below: Ctrl-C from the first instant is handled
    def _early_stop(signum, frame):
        print("\ninterrupted before grading started; run the same command again", flush=True)
        sys.exit(130)

    signal.signal(signal.SIGINT, _early_stop)
    signal.signal(signal.SIGTERM, _early_stop)

import argparse
import difflib
import hashlib
import os
import shutil
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from . import reference, registry, report, sandbox
from .discover import DiscoveryError, Submission, discover
from .progress import Progress, clock
from .reference import reference_results
from .sandbox import run_submission
from .score import Graded, missing, score_run
from .status import Status
from .suite import ROOT, load_suite

CHECK_COMMAND = "python check.py {id}.py"
INTERRUPTED_EXIT = 130  # the shell's code for "stopped by Ctrl-C"


def submissions_folder(root: Path, assignment: str, several: bool) -> Path:
    nested = root / assignment
    if several or (nested.is_dir() and not (nested / f"{assignment}.py").exists()):
        return nested
    return root


def fingerprint(submission: Path | None, assignment: str, note: str = "", inputs: str | None = None) -> str:
    """Changes when the submission (or, for a missing one, what was found) or any grading input
    (suite, reference solution, engine, assignment.toml) changes.  ``inputs``: the grading inputs'
    own fingerprint, when the caller computed it once for the whole class."""
    h = hashlib.sha256(note.encode() + b"\0" + (inputs or reference.fingerprint(assignment)).encode() + b"\0")
    if submission is not None:
        h.update(submission.read_bytes())
    return h.hexdigest()[:16]


@dataclass
class Plan:
    """One assignment's class, and who of it this run grades."""

    assignment: str
    folder: Path
    out_dir: Path
    class_: dict[str, Submission]
    fingerprints: dict[str, str]
    selected: bool = False  # --student: todo is the named students
    todo: list[str] = field(default_factory=list)
    done: set[str] = field(default_factory=set)  # graded by this run


def plan(assignment: str, folder: Path, out: Path, staging: Path, force: bool, only: list[str] | None) -> Plan:
    class_ = discover(folder, assignment, staging / assignment)
    inputs = reference.fingerprint(assignment)  # once: ~40 files, the same for every student
    prints = {s: fingerprint(sub.source, assignment, sub.problem, inputs) for s, sub in class_.items()}
    p = Plan(assignment, folder, out / assignment, class_, prints, selected=only is not None)
    for student in class_:
        if only is not None:
            if student in only:
                p.todo.append(student)  # named: always regraded
        elif force or not _current(p, student):
            p.todo.append(student)
    return p


def _current(p: Plan, student: str) -> Graded | None:
    """The stored result of ``student`` if it was computed from the very same files."""
    previous = report.read_student(p.out_dir / student)
    return previous if previous and previous.fingerprint == p.fingerprints[student] else None


def grade_plan(p: Plan, jobs: int, require_isolation: bool = False) -> None:
    if p.todo:
        sandbox.start(p.assignment)  # its imports overlap loading the suite here
    questions = load_suite(p.assignment)
    n = len(p.class_)
    print(f"== {p.assignment}: {registry.get(p.assignment).title}\n"
          f"   {n} submission{'' if n == 1 else 's'} in {p.folder} -> {p.out_dir}", flush=True)
    if p.selected:
        print(f"   regrading {', '.join(p.todo) or 'nobody'} (named); the other {n - len(p.todo)} keep their "
              "stored results", flush=True)
    elif len(p.todo) < n:
        print(f"   {n - len(p.todo)} already graded (unchanged since); grading the other {len(p.todo)}", flush=True)
    if not p.todo:
        return
    layers = sandbox.isolation(p.assignment)
    print(sandbox.describe_isolation(layers), flush=True)
    if require_isolation and not sandbox.fully_isolated(layers):
        raise SystemExit("error: --require-isolation: some isolation layers are off (above); grading refused")
    reference = reference_results(p.assignment, questions)
    checks = [(c.key, c.check.timeout) for q in questions for c in q.cases]
    check_command = CHECK_COMMAND.format(id=p.assignment)
    progress = Progress(len(p.todo))

    def one(student: str) -> None:
        sub, keep = p.class_[student], p.out_dir / student
        if sub.source is None:
            g = missing(student, p.assignment, questions, sub.problem)
        else:
            try:
                run = run_submission(sub.source, p.assignment, checks, keep)
            except sandbox.Interrupted:  # cut short: nothing about this student is recorded
                if not report.is_graded(keep):
                    shutil.rmtree(keep, ignore_errors=True)
                return
            try:
                g = score_run(student, p.assignment, questions, run, reference)
            except Exception as exc:  # a grader bug on this student's data: this student only, named
                g = missing(student, p.assignment, questions, f"internal error while judging: {type(exc).__name__}: "
                                                              f"{str(exc)[:200]} (tell the course staff)")
                g.status = Status.ERROR.value
                print(f"   error while judging {student}: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
        g.fingerprint = p.fingerprints[student]
        report.write_student(keep, g, check_command)
        p.done.add(student)
        progress.finished(f"{student:<28} {report.num(g.total):>5} / {report.num(g.max_total):<4} "
                          f"{g.status:<9} ({g.seconds:.1f} s)")

    progress.start()
    report.preload_histogram()  # while the children run, not after them
    pool = ThreadPoolExecutor(max_workers=max(1, jobs))
    try:
        for f in as_completed([pool.submit(one, s) for s in p.todo]):
            f.result()
    except BaseException:
        sandbox.kill_all()  # before waiting: the workers' children die now, the workers return at once
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    finally:
        progress.close()
    pool.shutdown()


def write_gradebook(p: Plan) -> None:
    """grades.csv and summary.md from every student's stored result: the whole class, always."""
    graded, ungraded, stale = [], [], []
    for student in p.class_:
        stored = report.read_student(p.out_dir / student)
        if stored is None:
            ungraded.append(student)
            continue
        graded.append(stored)
        if stored.fingerprint != p.fingerprints[student]:
            stale.append(student)
    isolation = sandbox.describe_isolation(sandbox.isolation(p.assignment)) if p.todo else ""
    notes = f"How each submission was isolated (this run):\n\n```\n{isolation}\n```\n" if isolation else ""
    print(report.write_gradebook(p.out_dir, graded, notes))
    if ungraded:
        print(f"note: {len(ungraded)} student{'s have' if len(ungraded) > 1 else ' has'} no result yet and "
              f"{'are' if len(ungraded) > 1 else 'is'} not in the gradebook ({', '.join(ungraded[:5])}"
              f"{', ...' if len(ungraded) > 5 else ''}): run without --student to grade them")
    if stale:
        print(f"note: the gradebook shows an older result for {', '.join(stale[:5])}"
              f"{', ...' if len(stale) > 5 else ''} (file or tests changed since): run without --student to regrade")


def unknown_students(names: list[str], plans: list[Plan]) -> str:
    """An error message for the names that are in no class ('' if every name is known)."""
    known = sorted({s for p in plans for s in p.class_})
    lines = []
    for name in names:
        if name not in known:
            close = difflib.get_close_matches(name, known, n=3, cutoff=0.5)
            lines.append(f"error: no student {name!r} in {', '.join(str(p.folder) for p in plans)}"
                         + (f"; did you mean {' or '.join(close)}?" if close else f" ({len(known)} students)"))
    return "\n".join(lines)


def _stop(signum, frame):
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not break the clean-up
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m autograder.engine.grade",
        description="Grade a folder of submissions: writes OUT/<id>/grades.csv, summary.md, histogram.png\n"
                    "and OUT/<id>/<student>/{results.json,feedback.md}. Ctrl-C stops at once; the same\n"
                    "command then finishes the job (students already graded are kept).",
        epilog="examples (make variables for every option):\n"
               "  make grade ASSIGNMENT=forward_mode SUBMISSIONS=~/hw1 OUT=grades\n"
               "  make grade ASSIGNMENT=forward_mode SUBMISSIONS=~/hw1 STUDENT=alice   # regrade one student\n"
               "  make grade ... FORCE=1 JOBS=4 ARGS=\"...\"                           # --force, --jobs 4, anything else",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ids = registry.ids()
    parser.add_argument("assignments", nargs="*", default=ids, metavar="ID",
                        help=f"assignment ids (default: all of {', '.join(ids)})")
    parser.add_argument("--submissions", default=str(ROOT / "examples"), type=Path,
                        help="folder with one entry per student: <student>.py, <student>.ipynb, <student>.zip "
                             "or a folder <student>/ holding <id>.py (with several ids: one such folder per id); "
                             "default: the example class")
    parser.add_argument("--out", default=Path("grades"), type=Path, help="output folder (default: grades)")
    parser.add_argument("--jobs", default=os.cpu_count() or 2, type=int,
                        help="submissions graded in parallel (default: the number of cores)")
    parser.add_argument("--force", action="store_true", help="regrade even unchanged submissions")
    parser.add_argument("--student", action="append", metavar="NAME",
                        help="regrade only this student, even if unchanged (repeatable); the gradebook keeps "
                             "everyone else's stored result")
    parser.add_argument("--require-isolation", action="store_true",
                        help="refuse to grade unless every OS isolation layer (Landlock, seccomp, uid) is active")
    args = parser.parse_args(argv)

    unknown = [a for a in args.assignments if a not in ids]
    if unknown:
        parser.error(f"unknown assignment {', '.join(unknown)}; choose from {', '.join(ids)}")
    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)  # make forwards SIGTERM (not SIGINT) to its children
    several = len(args.assignments) > 1
    started = time.monotonic()
    plans: list[Plan] = []
    interrupted = False
    with tempfile.TemporaryDirectory(prefix="submissions-") as staging:
        try:
            for assignment in args.assignments:
                folder = submissions_folder(args.submissions, assignment, several)
                if not folder.is_dir():
                    print(f"error: no folder {folder} with submissions for {assignment}", file=sys.stderr)
                    return 2
                try:
                    plans.append(plan(assignment, folder, args.out, Path(staging), args.force, args.student))
                except DiscoveryError as err:
                    print(f"error: {err}", file=sys.stderr)
                    return 2
            problem = unknown_students(args.student or [], plans)
            if problem:
                print(problem, file=sys.stderr)
                return 2
            for p in plans:
                grade_plan(p, args.jobs, args.require_isolation)
                write_gradebook(p)
        except KeyboardInterrupt:
            sandbox.kill_all()
            left = sum(len(set(p.todo) - p.done) for p in plans)
            total = sum(len(p.class_) if args.student is None else len(p.todo) for p in plans)
            print(f"\ninterrupted: {total - left} graded, {left} left; run the same command again to finish",
                  flush=True)
            interrupted = True
    if interrupted:
        # Everything is written and every child is dead: skip the interpreter's teardown, which takes
        # over a second with numpy and matplotlib loaded (the promise is to stop within a second).
        sys.stderr.flush()
        os._exit(INTERRUPTED_EXIT)
    print(f"done in {clock(time.monotonic() - started)}; gradebooks: "
          + ", ".join(str(args.out / a / "grades.csv") for a in args.assignments))
    return 0


if __name__ == "__main__":
    code = main()
    # Everything is written: skip the interpreter's teardown of numpy and matplotlib (0.2 s a run);
    # the fork servers see their socket close and exit by themselves.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
